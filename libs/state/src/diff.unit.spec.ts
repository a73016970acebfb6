import { diffStates } from "./diff.js";
import type { State } from "./model/types.js";
import { fixtureState } from "./testing/fixtures.test-helper.js";

const SHA1 = "1".repeat(64);
const SHA2 = "2".repeat(64);

function withContainer(state: State, name: string, group: string, rootfs = SHA1): State {
  return {
    ...state,
    [`${name}/lxc.container.conf`]: SHA1,
    [`${name}/root.squashfs`]: rootfs,
    [`${name}/run.json`]: {
      "#spec": "service-manifest-run@1",
      name,
      type: "lxc",
      config: "lxc.container.conf",
      "root-volume": "root.squashfs",
      group,
    },
  };
}

describe("diffStates", () => {
  const base = fixtureState("initial_state.json");

  it("finds nothing between a state and itself", () => {
    const diff = diffStates(base, base);
    expect(diff.keys).toEqual({ added: [], removed: [], changed: [] });
    expect(diff.reboot).toBe(false);
    expect(diff.restart).toEqual([]);
  });

  it("restarts only an app container whose policy is container", () => {
    const before = withContainer(base, "shop", "app");
    const after = withContainer(base, "shop", "app", SHA2);
    const diff = diffStates(before, after);
    expect(diff).toMatchObject({
      keys: { changed: ["shop/root.squashfs"] },
      parts: { changed: ["shop"] },
      objects: { added: [SHA2], removed: [] }, // SHA1 still holds the lxc config
      reboot: false,
      restart: ["shop"],
    });
    expect(diffStates(base, after)).toMatchObject({
      parts: { added: ["shop"] },
      reboot: false,
      restart: ["shop"],
    });
  });

  it("needs a reboot for the bsp, root-level keys and system containers", () => {
    const bsp = { ...base, "bsp/kernel.img": SHA2 };
    expect(diffStates(base, bsp)).toMatchObject({
      reboot: true,
      rebootReasons: ["the bsp changed"],
      restart: [],
    });
    const root = { ...base, "network-mapping.json": { eth0: "x" } };
    expect(diffStates(base, root).rebootReasons).toEqual(["root-level keys changed"]);
    const sys = { ...base, "pv-avahi/root.squashfs": SHA2 };
    expect(diffStates(base, sys).rebootReasons).toEqual([
      "container pv-avahi has restart_policy system",
    ]);
  });

  it("does not restart anything for a changed signature alone", () => {
    const resigned = {
      ...base,
      "_sigs/extra.json": { "#spec": "pvs@2", protected: "e30", signature: "" },
    };
    const diff = diffStates(base, resigned);
    expect(diff.keys.added).toEqual(["_sigs/extra.json"]);
    expect(diff.reboot).toBe(false);
    expect(diff.restart).toEqual([]);
  });

  it("refuses an invalid state naming which one", () => {
    expect(() => diffStates(base, { "#spec": "nope" })).toThrow(/state B is invalid/);
  });

  it("compares real fixture revisions", () => {
    const diff = diffStates(base, fixtureState("expected/state_after_new_package.json"));
    expect(diff.parts.added).toEqual(["vaultwarden"]);
    expect(diff.restart).toEqual(["vaultwarden"]);
    expect(diff.reboot).toBe(false);
  });
});
