import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { parseSamples } from "@statecast/platform";
// The agent's own journal and sender: the flooding side is the real one.
import { createLogger } from "../../../device-agent/src/log.js";
import { listenForBackoff, StatusSender } from "../../../device-agent/src/nats/status-sender.js";
import { ReportJournal } from "../../../device-agent/src/report/journal.js";
import {
  aReport,
  aTargetedDevice,
  deviceEventTypes,
  publishReport,
  useGateway,
} from "../testing/gateway.test-helper.js";

const FLOOD = 80;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** 20 reports a second per device, 10 at once, 20 held in memory: the rest waits in JetStream. */
describe("per-device report rate", () => {
  const h = useGateway({ STATECAST_DEVICE_REPORT_RATE: "20", STATECAST_DEVICE_REPORT_BURST: "10" });
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sc-report-rate-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const progress = async (deviceId: string) =>
    (await deviceEventTypes(h.store, deviceId)).filter((t) => t === "UpdateProgressReported");
  const rateLimited = async () => {
    const text = await (await fetch(`${h.gateway.url}/metrics`)).text();
    return parseSamples(text).get("statecast_gateway_reports_rate_limited_total") ?? 0;
  };

  it("a flooding agent is held to its rate and told to back off; others are not; every report lands once", async () => {
    await aTargetedDevice(h.store, "flood");
    await aTargetedDevice(h.store, "calm");
    await aTargetedDevice(h.store, "rogue");
    const warnings: string[] = [];
    const log = {
      ...createLogger("flood", "sim", true),
      warn: (msg: string) => warnings.push(msg),
    };
    const journal = new ReportJournal(dir, "flood", "sim", log);
    const sender = new StatusSender(jetstream(h.device), journal, log, 100);
    const backoff = listenForBackoff(h.device, "flood", sender, log);
    try {
      for (let i = 0; i < FLOOD; i++) {
        await journal.report({ revision: "fleet#2", status: "DOWNLOADING", message: `r${i}` });
      }
      // A raw flood from a device that ignores the advice: held, then handed back to JetStream.
      for (let seq = 1; seq <= 60; seq++) {
        await publishReport(h.device, aReport("rogue", seq));
      }
      // Another device's reports go through at once, while the flood still waits.
      const started = Date.now();
      for (let seq = 1; seq <= 3; seq++) await publishReport(h.device, aReport("calm", seq));
      while ((await progress("calm")).length < 3) {
        if (Date.now() - started > 3_000) throw new Error("the calm device waited for the flood");
        await sleep(20);
      }
      expect((await progress("flood")).length).toBeLessThan(FLOOD);
      expect(warnings).toContain("the gateway asks to slow down reports; pausing");
      expect(await rateLimited()).toBeGreaterThan(0);

      const deadline = Date.now() + 15_000;
      for (const [deviceId, count] of [
        ["flood", FLOOD],
        ["rogue", 60],
      ] as const) {
        while ((await progress(deviceId)).length < count) {
          const landed = (await progress(deviceId)).length;
          if (Date.now() > deadline) throw new Error(`only ${landed} of ${deviceId} landed`);
          await sleep(100);
        }
      }
      await sleep(300);
      // Exactly one event per report, in the order the device sent them.
      for (const [deviceId, count] of [
        ["flood", FLOOD],
        ["rogue", 60],
      ] as const) {
        const { events } = await h.store.readStream(`device:${deviceId}`);
        const seqs = events
          .filter((e) => e.type === "UpdateProgressReported")
          .map((e) => (e.data as { seq: number }).seq);
        expect(seqs).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      }
      expect(await journal.pending()).toEqual([]);
    } finally {
      backoff.unsubscribe();
      sender.close();
    }
  });
});
