import { startTestNats, type TestNats } from "@statecast/testing";
import type { StatusReport } from "../report/report.js";
import { INIT, type PartFixture } from "../testing/fixtures.test-helper.js";
import { GatewaySide } from "../testing/gateway-side.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";
import { connectAgent } from "./connected-agent.js";

const root: PartFixture = { name: "net", group: "root", init: INIT.started };
const app: PartFixture = { name: "web", group: "app", init: INIT.ready, statusGoal: "READY" };

const statuses = (reports: StatusReport[], revision: string) =>
  reports
    .filter((r) => r.revision === revision)
    .map((r) => (r.reason ? `${r.status}:${r.reason}` : r.status))
    .filter((s, i, all) => s !== all[i - 1]);

/** Losing the gateway during TESTING, on a real nats-server that the test kills. */
describe("gateway lost during TESTING", () => {
  let nats: TestNats;
  let gateway: GatewaySide;
  let device: DeviceUnderTest;
  let handle: Awaited<ReturnType<typeof connectAgent>> | undefined;

  async function connectDevice(gatewayTimeoutMs: number, commitDelayMs: number) {
    device = new DeviceUnderTest({ gatewayTimeoutMs, commitDelayMs });
    await device.agent.start();
    handle = await connectAgent(device.agent, { natsUrl: nats.url, reconnectMaxDelayMs: 200 });
    const first = device.states.build([root, app]);
    await gateway.putObjects(device.states.objectsDir);
    const target = device.target(first.state, first.digest);
    await gateway.putTarget(target);
    await gateway.waitForReport((r) => r.revision === target.revision && r.status === "DONE");
    return device.agent.committedRevision!;
  }

  /** Puts an update and resolves with its final report once the agent reached TESTING. */
  async function updateUntilTesting() {
    const next = device.states.build([root, { ...app, init: `echo v2\n${INIT.ready}` }]);
    await gateway.putObjects(device.states.objectsDir);
    const target = device.target(next.state, next.digest);
    const testing = new Promise<void>((resolve) =>
      device.agent.journal.onReport((r) => {
        if (r.revision === target.revision && r.status === "TESTING") resolve();
      }),
    );
    const final = new Promise<StatusReport>((resolve) =>
      device.agent.journal.onReport((r) => {
        if (r.revision === target.revision && ["DONE", "UPDATED", "ERROR"].includes(r.status))
          resolve(r);
      }),
    );
    await gateway.putTarget(target);
    await testing;
    return { target, final };
  }

  beforeEach(async () => {
    nats = await startTestNats();
    gateway = await GatewaySide.open(nats.url);
  });
  afterEach(async () => {
    await handle?.close();
    handle = undefined;
    await gateway?.close();
    await device?.dispose();
    await nats?.dispose();
  });

  it("rolls back to pv_rev and reports ERROR gateway_lost when the server is killed past the timeout", async () => {
    const before = await connectDevice(1_000, 6_000);
    const { target, final } = await updateUntilTesting();
    const killedAt = Date.now();
    await nats.kill();

    const report = await final;
    expect(report).toMatchObject({ status: "ERROR", reason: "gateway_lost" });
    expect(report.message).toMatch(/timeout 1000 ms/);
    // Rolled back on the 1 s timeout, not at the end of the 6 s commit delay (bound loose for a
    // loaded machine: the rollback itself restarts a container).
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    expect((await device.running()).sort()).toEqual(
      before.parts.map((p) => p.containerName).sort(),
    );
    expect(await device.agent.store.readBootEnv()).toEqual({
      pv_rev: before.id,
      pv_try: "",
      pv_trying: "",
    });

    // The ERROR was journaled offline and reaches the gateway once the server is back.
    nats = await startTestNats({ port: nats.port, storeDir: nats.storeDir });
    await gateway.close();
    gateway = await GatewaySide.open(nats.url);
    const reports = await gateway.waitForReport(
      (r) => r.revision === target.revision && r.status === "ERROR",
    );
    expect(statuses(reports, target.revision)).toEqual([
      "QUEUED",
      "DOWNLOADING",
      "INPROGRESS",
      "TESTING",
      "ERROR:gateway_lost",
    ]);
  });

  it("holds the commit through an outage shorter than the timeout, then ends UPDATED", async () => {
    await connectDevice(15_000, 500);
    const { final } = await updateUntilTesting();
    await nats.stop();
    // Down for longer than the commit delay: the commit waits for the gateway to come back.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(device.agent.gateway.lostForMs()).toBeGreaterThan(1_000);
    let settled = false;
    void final.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    nats = await startTestNats({ port: nats.port, storeDir: nats.storeDir });

    expect(await final).toMatchObject({ status: "UPDATED" });
    expect(device.agent.gateway.lostForMs()).toBe(0);
    expect(await device.running()).toHaveLength(2);
  });
});
