import { canonicalJson, stateDigest } from "@statecast/state";
import {
  fixtureState,
  fixtureStateNames,
} from "../../../../libs/state/src/testing/fixtures.test-helper.js";
import { InvalidStateError, objectIdsOf, revisionFromState } from "./revision.js";

/** The agent's model of a real Pantavisor state (libs/state's fixtures). */
function revisionOf(state: Record<string, unknown>, groupTimeoutMs?: number) {
  return revisionFromState(state, stateDigest(state as never), "fleet@1", groupTimeoutMs);
}

function refusal(state: Record<string, unknown>): string {
  try {
    revisionOf(state);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidStateError);
    return (error as Error).message;
  }
  throw new Error("the state was accepted");
}

describe("revisionFromState (libs/state's model, as the agent runs it)", () => {
  it("takes every real Pantavisor state of the fixtures", () => {
    for (const name of fixtureStateNames()) {
      const state = fixtureState(name);
      const containers = Object.keys(state).filter((k) => /^[^/]+\/run\.json$/.test(k));
      const parts = containers.filter((k) => k !== "bsp/run.json").length;
      expect(revisionOf(state).parts, name).toHaveLength(parts);
    }
  });

  it("reads a real container: group, goal, policy, volumes, root volume and its object", () => {
    const state = fixtureState("os.json");
    const revision = revisionOf(state);
    expect(revision.groups.map((g) => [g.name, g.timeoutMs])).toEqual([
      ["data", 30_000],
      ["root", 30_000],
      ["platform", 30_000],
      ["app", 30_000],
    ]);
    expect(revision.parts).toHaveLength(1);
    const [os] = revision.parts;
    expect(os).toMatchObject({
      name: "os",
      group: "root",
      statusGoal: "STARTED",
      restartPolicy: "system",
      configKey: "os/lxc.container.conf",
      rootVolumeKey: "os/root.squashfs",
      rootVolumeKind: "squashfs",
      rootObject: state["os/root.squashfs"],
      configObject: state["os/lxc.container.conf"],
    });
    // lxc-overlay is the container's own overlay, not a volume of the host.
    expect(os?.volumes.map((v) => `${v.name}:${v.persistence}`)).toEqual([
      "docker--etc-modules-load.d:permanent",
      "docker--pvrun-dbus:boot",
      "docker--var-pv:permanent",
      "dockerovl--pvconfigs-nm-connections:permanent",
      "dockerovl--var-lib-connman:permanent",
    ]);
    expect(revision.objects).toEqual(objectIdsOf(state));
  });

  it("names containers as every earlier agent did (same part digest: no restart on upgrade)", () => {
    expect(revisionOf(fixtureState("os.json")).parts[0]?.containerName).toBe("os.848cf5a41277");
    const queue = revisionOf(fixtureState("expected/state_queue_process.json"));
    expect(queue.parts[0]?.containerName).toBe("pvwificonnect.5f4e23deb459");
  });

  it("puts a container without a group where Pantavisor does: root, then platform", () => {
    // state-1.json's nginx names no group, and no container claims root.
    expect(revisionOf(fixtureState("state-1.json")).parts[0]).toMatchObject({
      name: "nginx",
      group: "root",
      restartPolicy: "system",
    });
    const state = fixtureState("expected/state_queue_process.json");
    const run = state["pvwificonnect/run.json"] as Record<string, unknown>;
    const second = Object.fromEntries(
      Object.entries(state)
        .filter(([key]) => key.startsWith("pvwificonnect/"))
        .map(([key, value]) => [key.replace("pvwificonnect/", "zz/"), value]),
    );
    const { group: _, ...ungrouped } = run;
    const both = {
      ...state,
      ...second,
      "pvwificonnect/run.json": ungrouped,
      "zz/run.json": { ...ungrouped, name: "zz" },
    };
    const groups = revisionOf(both).parts.map((p) => [p.name, p.group, p.restartPolicy]);
    expect(groups).toEqual([
      ["pvwificonnect", "root", "container"],
      ["zz", "platform", "container"],
    ]);
  });

  it("reads a root volume behind a handler prefix (dm:) at its own key", () => {
    const state = Object.fromEntries(
      Object.entries(fixtureState("expected/state_after_remove.json")).filter(
        ([key]) => !key.startsWith("_config/"),
      ),
    );
    const sdk = revisionOf(state).parts.find((p) => p.name === "pvr-sdk");
    expect(sdk).toMatchObject({
      group: "platform",
      rootVolumeKey: "pvr-sdk/root.squashfs",
      rootObject: state["pvr-sdk/root.squashfs"],
    });
  });

  it("takes device.json groups, their timeouts (or the agent's) and auto_recovery", () => {
    const state = fixtureState("vaultwarden.json");
    const declared = {
      ...state,
      "device.json": {
        groups: [
          { name: "root", timeout: 10 },
          { name: "app", restart_policy: "container", auto_recovery: { type: "always" } },
        ],
      },
    };
    const revision = revisionOf(declared);
    expect(revision.groups.map((g) => [g.name, g.timeoutMs])).toEqual([
      ["root", 10_000],
      ["app", 120_000],
    ]);
    expect(revision.parts[0]?.autoRecovery).toMatchObject({ type: "always" });
    expect(revisionOf(declared, 5_000).groups.map((g) => g.timeoutMs)).toEqual([5_000, 5_000]);
  });

  it("accepts pvr's inline JSON _config files, as their canonical text", () => {
    const state = fixtureState("initial_state.json");
    const revision = revisionOf(state);
    expect(revision.parts.map((p) => [p.name, p.group])).toEqual([
      ["awconnect", "root"],
      ["pv-avahi", "platform"],
      ["pvr-sdk", "platform"],
    ]);
    const key = "_config/awconnect/etc/wifi-connect/conf.d/WifiHotspot.json";
    expect(revision.parts[0]?.configFiles).toContainEqual({
      path: "etc/wifi-connect/conf.d/WifiHotspot.json",
      json: canonicalJson(state[key]),
    });
    expect(revision.objects).not.toContain(undefined);
  });

  it("carries bsp/run.json as libs/state read it", () => {
    expect(revisionOf(fixtureState("bsp_init.json")).bsp).toMatchObject({
      fit: "pantavisor.fit",
      modules: "modules.squashfs",
    });
  });

  it("refuses an invalid state with every problem libs/state finds, each naming its key", () => {
    const state = fixtureState("vaultwarden.json");
    const run = state["vaultwarden/run.json"] as Record<string, unknown>;
    const nowhere = refusal({ ...state, "vaultwarden/run.json": { ...run, group: "nowhere" } });
    expect(nowhere).toBe('invalid state: vaultwarden/run.json: group "nowhere" is not defined');
    const storage = { d: { persistence: "x" }, e: {} };
    expect(refusal({ ...state, "vaultwarden/run.json": { ...run, storage } })).toBe(
      'invalid state: vaultwarden/run.json: "storage.d.persistence" must be one of permanent, revision, boot, got "x"; ' +
        'vaultwarden/run.json: "storage.e.persistence" must be one of permanent, revision, boot, got none',
    );
    expect(refusal({ ...state, "vaultwarden/run.json": { ...run, auto_recovery: 3 } })).toMatch(
      /^vaultwarden: auto_recovery/,
    );
  });

  it("refuses names the agent turns into containers, host directories and mounts", () => {
    const state = fixtureState("vaultwarden.json");
    const run = state["vaultwarden/run.json"] as Record<string, unknown>;
    expect(
      refusal({
        ...state,
        "vaultwarden/run.json": { ...run, storage: { ".hidden": { persistence: "boot" } } },
      }),
    ).toBe('part vaultwarden: storage name ".hidden" is not allowed');
  });
});
