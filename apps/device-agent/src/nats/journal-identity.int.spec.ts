import { startTestNats, type TestNats } from "@statecast/testing";
import { ReportJournal } from "../report/journal.js";
import { GatewaySide } from "../testing/gateway-side.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";
import { connectAgent } from "./connected-agent.js";

/**
 * A board's factory `install` ran before the device had its id: its reports are journaled as
 * `offline`. Once connected they go out under the device's id; a report of any other id (a
 * store moved between devices) is dropped and never blocks the journal.
 */
describe("journaled reports of another device id", () => {
  let nats: TestNats;
  let gateway: GatewaySide;
  let device: DeviceUnderTest;
  let handle: Awaited<ReturnType<typeof connectAgent>> | undefined;

  beforeAll(async () => {
    nats = await startTestNats();
    gateway = await GatewaySide.open(nats.url);
  });
  afterAll(async () => {
    await handle?.close();
    await device?.dispose();
    await gateway?.close();
    await nats?.dispose();
  });

  it("sends an offline install's reports under its own id, drops another id's, then its own", async () => {
    device = new DeviceUnderTest();
    await device.agent.store.init();
    const offline = new ReportJournal(device.agent.store.journalDir, "offline", "lxc");
    await offline.report({ revision: "boards#1", status: "DONE", message: "factory installed" });
    const stranger = new ReportJournal(device.agent.store.journalDir, "dev-stranger", "lxc");
    await stranger.report({ revision: "boards#7", status: "DONE", message: "not this device's" });
    const agent = device.newAgent();
    await agent.start();
    handle = await connectAgent(agent, { natsUrl: nats.url, reconnectMaxDelayMs: 500 });
    await agent.journal.report({ revision: "boards#2", status: "QUEUED", message: "own report" });

    const reports = await gateway.waitForReport((r) => r.revision === "boards#2");
    expect(reports.map((r) => [r.deviceId, r.revision, r.status])).toEqual([
      [device.deviceId, "boards#1", "DONE"],
      [device.deviceId, "boards#2", "QUEUED"],
    ]);
    expect(reports[0]!.msgId).toBe(`${device.deviceId}:${offline.bootId}:1`);
    expect(await agent.journal.pending()).toEqual([]);
  });
});
