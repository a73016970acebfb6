import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { startTestNats, type TestNats } from "@statecast/testing";
import { resourceErrorCounts } from "../fs/resource-retry.js";
import { ReportJournal } from "../report/journal.js";
import type { JournalEntry } from "../report/report.js";
import { GatewaySide } from "../testing/gateway-side.test-helper.js";
import { StatusSender } from "./status-sender.js";

/** A journal the sender cannot read holds the reports back: the sender logs, waits, never throws. */
describe("status sender on a failing journal", () => {
  let nats: TestNats;
  let gateway: GatewaySide;
  let dir: string;
  beforeEach(async () => {
    nats = await startTestNats();
    gateway = await GatewaySide.open(nats.url);
    dir = mkdtempSync("/tmp/sc-sender-");
  });
  afterEach(async () => {
    await gateway.close();
    await nats.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the reports and sends them once the journal reads again", async () => {
    const written = new ReportJournal(dir, "dev-1", "sim");
    await written.report({ revision: "fleet#1", status: "QUEUED", message: "queued" });
    writeFileSync(join(dir, "sent.json"), "{ torn"); // the cursor cannot be read
    const warnings: string[] = [];
    const log = { info() {}, warn: (msg: string) => warnings.push(msg), error() {} };
    const journal = new ReportJournal(dir, "dev-1", "sim", log);
    const sender = new StatusSender(jetstream(gateway.nc), journal, log, 20);
    try {
      await sender.flush(); // resolves: the failed pass is logged and scheduled again
      expect(warnings).toEqual(["status reports held by a journal error; will retry"]);
      writeFileSync(join(dir, "sent.json"), '{ "count": 0 }');
      const reports = await gateway.waitForReport((r) => r.status === "QUEUED");
      expect(reports.map((r) => r.status)).toEqual(["QUEUED"]);
    } finally {
      sender.close();
    }
  });

  it("survives EMFILE from the journal's read (the 10,000-device crash): backs off, then sends", async () => {
    const emfile = () =>
      Object.assign(new Error("EMFILE: too many open files, open 'sent.json'"), {
        code: "EMFILE",
      });
    /** A journal out of descriptors for its first three reads, as under a full fd table. */
    class ExhaustedJournal extends ReportJournal {
      failures = 3;
      override pending(): Promise<JournalEntry[]> {
        if (this.failures-- > 0) return Promise.reject(emfile());
        return super.pending();
      }
    }
    const warnings: string[] = [];
    const log = {
      info() {},
      warn: (msg: string, fields?: Record<string, unknown>) =>
        warnings.push(`${msg} ${fields?.code}`),
      error() {},
    };
    const journal = new ExhaustedJournal(dir, "dev-1", "sim", log);
    const before = resourceErrorCounts().EMFILE ?? 0;
    const sender = new StatusSender(jetstream(gateway.nc), journal, log, 20);
    try {
      // The append fires a flush whose pass rejects: it must neither throw nor end the process.
      await journal.report({ revision: "fleet#1", status: "QUEUED", message: "queued" });
      await expect(sender.flush()).resolves.toBeUndefined();
      const reports = await gateway.waitForReport((r) => r.status === "QUEUED");
      expect(reports.map((r) => r.status)).toEqual(["QUEUED"]);
      expect(journal.failures).toBeLessThan(0);
      expect(warnings).toContain(
        "status reports held: the device is out of resources; will retry EMFILE",
      );
      expect(await journal.pending()).toEqual([]);
      expect(resourceErrorCounts().EMFILE).toBe(before + 3); // counted, for the host to export
    } finally {
      sender.close();
    }
  });
});
