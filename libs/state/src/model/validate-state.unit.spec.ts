import { canonicalJson } from "../json/canonical-json.js";
import { fixtureState, fixtureStateNames, fixtureText } from "../testing/fixtures.test-helper.js";
import { parseState } from "./parse-state.js";
import type { State } from "./types.js";
import { validateState } from "./validate-state.js";

const SHA = "a".repeat(64);

function aContainerState(run: Record<string, unknown>, extra: State = {}): State {
  return {
    "#spec": "pantavisor-service-system@1",
    "web/lxc.container.conf": SHA,
    "web/root.squashfs": SHA,
    "web/run.json": {
      "#spec": "service-manifest-run@1",
      name: "web",
      type: "lxc",
      config: "lxc.container.conf",
      "root-volume": "root.squashfs",
      volumes: [],
      ...run,
    } as State,
    ...extra,
  };
}

describe("validateState", () => {
  it("accepts every fixture state", () => {
    for (const name of fixtureStateNames()) {
      expect(parseState(fixtureText(name)).errors, name).toEqual([]);
    }
  });

  it("derives parts, groups and objects from a real state", () => {
    const { model } = validateState(fixtureState("initial_state.json"));
    const sdk = model?.parts.find((p) => p.name === "pvr-sdk");
    expect(sdk).toMatchObject({
      kind: "container",
      group: "platform",
      statusGoal: "STARTED",
      restartPolicy: "system",
    });
    expect(model?.groups.map((g) => g.name)).toEqual(["data", "root", "platform", "app"]);
    expect(model?.parts.find((p) => p.kind === "bsp")).toMatchObject({
      run: { linux: "kernel.img", initrd: "pantavisor" },
    });
    expect(model?.objects).toContain(
      "662f020aabbfb64e840662fe9598918951da4708edf79086c733088ff0a068cb",
    );
    expect(model?.signatures).toHaveLength(5);
  });

  it("reads groups.json when device.json has none, with default goal and timeout", () => {
    const { model } = validateState(fixtureState("bsp_init_groups.json"));
    expect(model?.groups[0]).toEqual({
      name: "System",
      description: "System containers",
      statusGoal: "STARTED",
      restartPolicy: "system",
      timeoutSeconds: 120,
    });
    expect(model?.groups).toHaveLength(10);
  });

  it("applies group defaults and run.json overrides", () => {
    const app = validateState(aContainerState({ group: "app" })).model?.parts.find(
      (p) => p.name === "web",
    );
    expect(app).toMatchObject({ group: "app", restartPolicy: "container", statusGoal: "STARTED" });
    const ready = validateState(
      aContainerState({ group: "app", status_goal: "READY", restart_policy: "system" }),
    );
    expect(ready.model?.parts.find((p) => p.name === "web")).toMatchObject({
      statusGoal: "READY",
      restartPolicy: "system",
    });
  });

  it("puts a container without a group where Pantavisor does", () => {
    // Default groups (Pantavisor's runlevels): the first such container by name goes to root.
    const legacy = validateState(fixtureState("state-1.json")).model?.parts;
    expect(legacy?.find((p) => p.name === "nginx")).toMatchObject({
      group: "root",
      restartPolicy: "system",
    });
    // Declared groups: the last one declared, with its defaults.
    const declared = validateState(
      aContainerState(
        {},
        {
          "device.json": {
            groups: [
              { name: "root" },
              { name: "late", restart_policy: "container", auto_recovery: { type: "always" } },
            ],
          },
        },
      ),
    ).model;
    expect(declared?.parts.find((p) => p.name === "web")).toMatchObject({
      group: "late",
      restartPolicy: "container",
    });
    expect(declared?.groups[1]?.autoRecovery).toEqual({ type: "always" });
  });

  it("reports every problem, each naming its key and the reason", () => {
    const state = aContainerState(
      { type: "docker", status_goal: "RUNNING", config: "missing.conf", group: "nowhere" },
      { "web/other": "not-a-sha", "bsp/run.json": { linux: "../vmlinuz" } },
    );
    const { errors, model } = validateState(state);
    expect(model).toBeUndefined();
    expect(errors).toEqual(
      expect.arrayContaining([
        { key: "web/other", reason: "must be a sha256 object id (64 lowercase hex), got a string" },
        { key: "web/run.json", reason: '"type" must be "lxc", got "docker"' },
        {
          key: "web/run.json",
          reason: '"status_goal" must be one of MOUNTED, STARTED, READY, got "RUNNING"',
        },
        { key: "web/run.json", reason: '"config" refers to missing key web/missing.conf' },
        { key: "bsp/run.json", reason: `"linux" "../vmlinuz" is unsafe: contains a '..' segment` },
      ]),
    );
    expect(errors.length).toBeGreaterThanOrEqual(5);
  });

  it.each([
    ["../x", "contains a '..' segment"],
    ["/etc/x", "absolute path"],
    ["a//b", "empty path segment"],
    ["a\u0000b", "contains a NUL character"],
  ])("marks a state with hostile key %j invalid, naming the key", (key, reason) => {
    const state = { ...fixtureState("os.json"), [key]: SHA };
    const { errors } = parseState(canonicalJson(state));
    expect(errors).toEqual([{ key, reason: `unsafe key: ${reason}` }]);
  });

  it("refuses text that is not a JSON object, or a wrong spec", () => {
    expect(parseState("[1]").errors).toEqual([
      { key: "", reason: "a state must be a JSON object, got an array" },
    ]);
    expect(parseState('{"#spec":"x"}').errors).toEqual([
      { key: "#spec", reason: 'must be "pantavisor-service-system@1", got "x"' },
    ]);
    expect(parseState("{").errors[0]?.reason).toBe(
      "not valid JSON: expected a string key at offset 1",
    );
  });

  it("checks signature entries and group definitions", () => {
    const state = {
      ...aContainerState({ group: "app" }),
      "_sigs/web.json": { "#spec": "pvs@1" },
      "device.json": {
        groups: [{ name: "app", status_goal: "SOON" }, { name: "x" }, { name: "x" }],
      },
    };
    const reasons = validateState(state).errors.map((e) => `${e.key}: ${e.reason}`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        '_sigs/web.json: "#spec" must be "pvs@2"',
        '_sigs/web.json: "protected" must be a string',
        "device.json: groups[0].status_goal must be one of MOUNTED, STARTED, READY",
        'web/run.json: group "app" is not defined',
        'device.json: groups[2].name "x" is defined twice',
      ]),
    );
  });
});
