import { DirObjectSource } from "../fetch/dir-source.js";
import { INIT } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";

describe("agent apply with real LXC", () => {
  let device: DeviceUnderTest;
  beforeEach(() => {
    device = new DeviceUnderTest();
  });
  afterEach(() => device.dispose());

  it("installs a fresh device: root STARTED, app READY through the control socket, DONE", async () => {
    const { state, digest } = device.states.build([
      { name: "net", group: "root", init: INIT.started, rootKind: "squashfs" },
      { name: "web", group: "app", init: INIT.ready, statusGoal: "READY" },
    ]);
    await device.agent.start();
    const target = device.target(state, digest);
    const final = await device.agent.applyTarget(
      target,
      new DirObjectSource(device.states.objectsDir),
    );

    expect(final).toMatchObject({ status: "DONE", revision: target.revision, runtime: "lxc" });
    expect(await device.statuses()).toEqual([
      "QUEUED",
      "DOWNLOADING",
      "INPROGRESS",
      "TESTING",
      "DONE",
    ]);
    const spec = device.agent.committedRevision!;
    expect((await device.running()).sort()).toEqual(spec.parts.map((p) => p.containerName).sort());
    expect(await device.agent.store.readBootEnv()).toEqual({
      pv_rev: digest,
      pv_try: "",
      pv_trying: "",
    });
  });
});
