import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startTestNats, type TestNats } from "@statecast/testing";
import { resourceErrorCounts } from "../fs/resource-retry.js";
import { ReportJournal } from "../report/journal.js";
import type { JournalEntry } from "../report/report.js";
import { GatewaySide, STATUS_STREAM } from "../testing/gateway-side.test-helper.js";
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

/**
 * Each sent report names the seq its boot sent before it (`prevSeq`, 0 for the first): the
 * gateway waits only for that one. Reports kept back (a local revision's), a resend after a lost
 * ack and an agent restart (a new boot) must not break the chain.
 */
describe("prevSeq on the reports the sender publishes", () => {
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

  /** Every report in the status stream as `<boot>:<seq>/<prevSeq>`, boots named by `boots`. */
  async function chain(boots: Record<string, string>): Promise<string[]> {
    const jsm = await jetstreamManager(gateway.nc);
    const info = await jsm.streams.info(STATUS_STREAM);
    const out: string[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(STATUS_STREAM, { seq });
      const r = m?.json<{ bootId: string; seq: number; prevSeq?: number }>();
      if (r) out.push(`${boots[r.bootId] ?? r.bootId}:${r.seq}/${r.prevSeq ?? "-"}`);
    }
    return out;
  }

  it("skips kept-back local reports, is the same on a resend and starts over on a new boot", async () => {
    const at = new Date().toISOString();
    const health = { health: "container_exited", count: 1, firstAt: at, lastAt: at } as const;
    const before = new ReportJournal(dir, "dev-1", "sim");
    await before.report({ revision: "factory", status: "DONE", message: "pre-staged" }); // 1: local
    await before.report({ revision: "fleet#1", status: "QUEUED", message: "queued" }); // 2
    await before.report({ revision: "bundle:ab12", status: "DONE", message: "usb" }); // 3: local
    await before.health({ ...health, revision: "fleet#1", message: "app exited" }); // 4
    await before.health({ ...health, revision: "factory", message: "local app" }); // 5: local
    await before.report({ revision: "fleet#1", status: "DOWNLOADING", message: "fetching" }); // 6

    // The agent restarts (a new boot) before it sent any of them; its own boot keeps one back too.
    const journal = new ReportJournal(dir, "dev-1", "sim");
    await journal.report({ revision: "factory", status: "DONE", message: "pre-staged" }); // 1
    await journal.report({ revision: "fleet#1", status: "DOWNLOADING", message: "again" }); // 2
    await journal.report({ revision: "fleet#1", status: "INPROGRESS", message: "installing" }); // 3

    // The ack of the old boot's seq 4 is lost once: it is published again, the same bytes.
    const real = jetstream(gateway.nc);
    const payloads: string[] = [];
    let lost = false;
    const js = {
      publish: async (subject: string, data: string, options: object) => {
        payloads.push(data);
        const ack = await real.publish(subject, data, options);
        if (!lost && JSON.parse(data).seq === 4) {
          lost = true;
          throw new Error("timeout waiting for the ack");
        }
        return ack;
      },
    };
    const quiet = { info() {}, warn() {}, error() {} };
    const sender = new StatusSender(js as never, journal, quiet, 20);
    try {
      await sender.flush();
      await gateway.waitForReport((r) => r.status === "INPROGRESS");
    } finally {
      sender.close();
    }

    const boots = { [before.bootId]: "old", [journal.bootId]: "new" };
    expect(await chain(boots)).toEqual(["old:2/0", "old:4/2", "old:6/4", "new:2/0", "new:3/2"]);
    const resent = payloads.filter((p) => JSON.parse(p).seq === 4 && p.includes(before.bootId));
    expect(resent).toHaveLength(2);
    expect(resent[1]).toBe(resent[0]);
    expect(await journal.pending()).toEqual([]);
  });

  it("sends a previous release's journaled report as it was, without prevSeq", async () => {
    const old = {
      deviceId: "dev-1",
      bootId: "boot-of-the-previous-agent",
      seq: 1,
      revision: "fleet#1",
      status: "QUEUED",
      progress: 5,
      message: "queued",
      runtime: "sim",
      at: new Date().toISOString(),
    };
    writeFileSync(join(dir, "reports.jsonl"), `${JSON.stringify(old)}\n`);
    const journal = new ReportJournal(dir, "dev-1", "sim");
    await journal.report({ revision: "fleet#1", status: "DOWNLOADING", message: "fetching" });
    const quiet = { info() {}, warn() {}, error() {} };
    const sender = new StatusSender(jetstream(gateway.nc), journal, quiet, 20);
    try {
      await sender.flush();
      await gateway.waitForReport((r) => r.status === "DOWNLOADING");
    } finally {
      sender.close();
    }
    expect(await chain({ [journal.bootId]: "new" })).toEqual([
      "boot-of-the-previous-agent:1/-",
      "new:1/0",
    ]);
  });
});
