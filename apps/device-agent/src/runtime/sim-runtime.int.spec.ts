import { join } from "node:path";
import { DirObjectSource } from "../fetch/dir-source.js";
import type { ObjectSource } from "../fetch/object-source.js";
import { INIT, type PartFixture } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";
import { type SimFaults, SimRuntime } from "./sim-runtime.js";

const root: PartFixture = { name: "net", group: "root", init: INIT.started };
const app: PartFixture = { name: "web", group: "app", init: INIT.ready, statusGoal: "READY" };

/** The same agent code on the simulated runtime, with injected faults. */
function simDevice(faults: SimFaults = {}, overrides = {}) {
  return new DeviceUnderTest(
    { commitDelayMs: 200, groupTimeoutMs: 500, ...overrides },
    (dir) => new SimRuntime(join(dir, "sim"), faults),
  );
}

describe("sim runtime", () => {
  let device: DeviceUnderTest;
  afterEach(() => device.dispose());

  async function install(parts: PartFixture[], source?: ObjectSource) {
    const { state, digest } = device.states.build(parts);
    return device.agent.applyTarget(
      device.target(state, digest),
      source ?? new DirObjectSource(device.states.objectsDir),
    );
  }

  it("runs the whole apply with READY signalled over the real control socket, reporting runtime sim", async () => {
    device = simDevice();
    await device.agent.start();
    const report = await install([root, app]);
    expect(report).toMatchObject({ status: "DONE", runtime: "sim" });
    expect((await device.agent.journal.all()).every((r) => r.runtime === "sim")).toBe(true);
    expect(await device.running()).toHaveLength(2);
  });

  it("injects a goal that is never reached: ERROR status_goal_timeout, previous revision back", async () => {
    device = simDevice({ neverReady: ["web"] });
    await device.agent.start();
    const first = await install([root]);
    expect(first.status).toBe("DONE");
    const before = await device.running();
    const report = await install([root, app]);
    expect(report).toMatchObject({
      status: "ERROR",
      reason: "status_goal_timeout",
      runtime: "sim",
    });
    expect(await device.running()).toEqual(before);
  });

  it("injects a container exit during TESTING: ERROR container_exited", async () => {
    device = simDevice({ exitAfterMs: { web: 50 } });
    await device.agent.start();
    const report = await install([root, app]);
    expect(report).toMatchObject({ status: "ERROR", reason: "container_exited" });
    expect(await device.running()).toEqual([]);
  });

  it("refuses a target when the objects would not fit: WONTGO no_space", async () => {
    device = simDevice({}, { reserveBytes: Number.MAX_SAFE_INTEGER });
    await device.agent.start();
    const report = await install([root, app]);
    expect(report).toMatchObject({ status: "WONTGO", reason: "no_space" });
    expect(await device.runtime.list()).toEqual([]);
  });

  it("a source failing in an unexpected way: WONTGO fetch_failed, reported, nothing touched", async () => {
    device = simDevice({}, { fetchAttempts: 2 });
    await device.agent.start();
    const broken: ObjectSource = {
      name: "broken",
      size: async () => {
        throw new Error("object store unreachable");
      },
      open: async () => {
        throw new Error("object store unreachable");
      },
    };
    const report = await install([root, app], broken);
    expect(report).toMatchObject({
      status: "WONTGO",
      reason: "fetch_failed",
      message: "object store unreachable",
    });
    expect((await device.agent.journal.all()).at(-1)).toMatchObject({ reason: "fetch_failed" });
    expect(await device.runtime.list()).toEqual([]);
  });

  it("a newer target aborts a slow download of the older one", async () => {
    device = simDevice();
    await device.agent.start();
    const slow = new DirObjectSource(device.states.objectsDir, 256 * 1024);
    const older = device.states.build([root, { ...app, init: `echo older\n${INIT.ready}` }]);
    const newer = device.states.build([root, app]);
    const first = device.agent.applyTarget(device.target(older.state, older.digest), slow);
    await new Promise((r) => setTimeout(r, 300));
    const second = device.agent.applyTarget(
      device.target(newer.state, newer.digest),
      new DirObjectSource(device.states.objectsDir),
    );
    expect(await first).toMatchObject({ status: "WONTGO", reason: "superseded" });
    expect(await second).toMatchObject({ status: "DONE" });
    expect(device.agent.committedRevision?.id).toBe(newer.digest);
  });
});
