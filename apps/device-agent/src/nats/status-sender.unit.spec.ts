import { mkdtempSync, rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { JetStreamClient } from "@nats-io/jetstream";
import { ReportJournal } from "../report/journal.js";
import { StatusSender, unackedDelayMs } from "./status-sender.js";

const quiet = { info() {}, warn() {}, error() {} };

describe("status sender: the wait before replaying an unacknowledged report", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync("/tmp/sc-sender-");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("doubles from retryMs up to 8 times it, spread over half to one and a half", () => {
    const low = () => 0;
    expect([1, 2, 3, 4, 5, 9].map((n) => unackedDelayMs(n, 1_000, low))).toEqual([
      500, 1_000, 2_000, 4_000, 4_000, 4_000,
    ]);
    expect(unackedDelayMs(1, 1_000, () => 1)).toBe(1_500);
    expect(unackedDelayMs(30, 1_000, () => 1)).toBe(12_000);
  });

  it("replays after its backoff even when a shorter pause comes meanwhile, then once after", async () => {
    // Only the ack's outcome matters here: the first publish is not acknowledged, the rest are.
    const published: number[] = [];
    const js = {
      publish: async () => {
        published.push(Date.now());
        if (published.length === 1) throw new Error("TIMEOUT");
        return { duplicate: false, seq: published.length, stream: "SC_DEVICE_STATUS" };
      },
    } as unknown as JetStreamClient;
    const journal = new ReportJournal(dir, "dev-1", "sim");
    const sender = new StatusSender(js, journal, quiet, 100);
    try {
      await journal.report({ revision: "fleet#1", status: "QUEUED", message: "queued" });
      await sender.flush();
      expect(published).toHaveLength(1);
      sender.pause(1); // the gateway's slow-down, shorter than the backoff (50–150 ms)
      await sleep(30);
      await sender.flush(); // a flush inside the backoff sends nothing
      expect(published).toHaveLength(1);
      for (let waited = 0; published.length < 2 && waited < 2_000; waited += 10) await sleep(10);
      expect(published).toHaveLength(2);
      expect(published[1]! - published[0]!).toBeGreaterThanOrEqual(45);
      expect(await journal.pending()).toEqual([]);
    } finally {
      sender.close();
      await journal.close();
    }
  });
});
