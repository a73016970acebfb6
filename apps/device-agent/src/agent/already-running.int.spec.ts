import { DirObjectSource } from "../fetch/dir-source.js";
import { isHealth } from "../report/report.js";
import { INIT, type PartFixture } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";

const root: PartFixture = { name: "net", group: "root", init: INIT.started };

/** The KV watch hands the current target to every start: a restart must not refuse it. */
describe("an agent restart on the committed revision", () => {
  let device: DeviceUnderTest;
  afterEach(() => device.dispose());

  it("takes the target it already runs as done: no WONTGO stale_revision, no container touched", async () => {
    device = new DeviceUnderTest();
    await device.agent.start();
    const source = new DirObjectSource(device.states.objectsDir);
    const { state, digest } = device.states.build([root]);
    const target = device.target(state, digest);
    const done = await device.agent.applyTarget(target, source);
    expect(done.status).toBe("DONE");
    const [container] = await device.running();
    const pid = device.pid(container!);
    await device.agent.stop();

    device.newAgent();
    await device.agent.start();
    expect(await device.agent.applyTarget(target, source)).toEqual(done);
    expect(await device.agent.applyTarget(target, source)).toEqual(done); // a reconnect, too
    const statuses = (await device.agent.journal.entries()).filter((e) => !isHealth(e));
    expect(statuses.map((r) => ("status" in r ? r.status : r))).not.toContain("WONTGO");
    expect(device.pid(container!)).toBe(pid);

    // A lower seq of another revision is still refused as stale.
    const other = device.states.build([{ ...root, init: `echo v2\n${INIT.started}` }]);
    const stale = await device.agent.applyTarget(
      device.target(other.state, other.digest, { seq: 0 }),
      source,
    );
    expect(stale).toMatchObject({ status: "WONTGO", reason: "stale_revision" });
  }, 60_000);
});
