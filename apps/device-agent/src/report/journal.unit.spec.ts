import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { ReportJournal, ReportOutOfContract } from "./journal.js";

describe("report journal", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync("/tmp/sc-journal-");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("numbers reports per boot, keeps them pending until confirmed in order, survives a restart", async () => {
    const journal = new ReportJournal(dir, "dev-1", "sim");
    const a = await journal.report({ revision: "r1", status: "QUEUED", message: "m" });
    const b = await journal.report({ revision: "r1", status: "DOWNLOADING", message: "m" });
    expect([a.seq, b.seq, a.progress, b.progress, a.runtime]).toEqual([1, 2, 5, 25, "sim"]);
    expect(await journal.pending()).toEqual([a, b]);
    await expect(journal.confirm(b)).rejects.toThrow(/out of journal order/);
    await journal.confirm(a);
    const c = await journal.report({ revision: "r1", status: "DONE", message: "m" });
    expect(await journal.pending()).toEqual([b, c]);
    await journal.close(); // the agent stops: the sent cursor is written

    const restarted = new ReportJournal(dir, "dev-1", "sim");
    expect(restarted.bootId).not.toBe(journal.bootId);
    expect(await restarted.pending()).toEqual([b, c]);
    const d = await restarted.report({ revision: "r2", status: "QUEUED", message: "m" });
    expect(d.seq).toBe(1);
    expect((await restarted.pending()).map((r) => ("status" in r ? r.status : r.health))).toEqual([
      "DOWNLOADING",
      "DONE",
      "QUEUED",
    ]);
  });

  it("keeps its file open between appends, and journals after close by opening it for that append", async () => {
    const journal = new ReportJournal(dir, "dev-1", "sim");
    const a = await journal.report({ revision: "r1", status: "QUEUED", message: "m" });
    const b = await journal.report({ revision: "r1", status: "DOWNLOADING", message: "m" });
    await journal.close();
    const c = await journal.report({ revision: "r1", status: "DONE", message: "m" });
    expect(await new ReportJournal(dir, "dev-1", "sim").all()).toEqual([a, b, c]);
    await journal.confirm(a);
    // The sent cursor (written without fsync: a lost one only resends) is read by a restart.
    expect(await new ReportJournal(dir, "dev-1", "sim").pending()).toEqual([b, c]);
  });

  it("takes the sent cursor the previous release wrote, and overwrites it in place as JSON that release reads", async () => {
    const first = new ReportJournal(dir, "dev-1", "sim");
    const reports = [];
    for (const status of ["QUEUED", "DOWNLOADING", "INPROGRESS", "DONE"] as const)
      reports.push(await first.report({ revision: "r1", status, message: "m" }));
    await first.close();
    // The previous release replaced sent.json with `{"count":N}` and a newline.
    writeFileSync(join(dir, "sent.json"), '{"count":1}\n');
    const journal = new ReportJournal(dir, "dev-1", "sim");
    expect(await journal.pending()).toEqual(reports.slice(1));
    await journal.confirm(reports[1]!);
    await journal.confirm(reports[2]!);
    await journal.close();
    const text = readFileSync(join(dir, "sent.json"), "utf8");
    expect(JSON.parse(text)).toEqual({ count: 3 });
    expect(text.endsWith("\n")).toBe(true);
    // Grown once to the fixed width, never shorter: a longer count leaves no stale byte.
    for (let n = 0; n < 2; n++)
      await journal.report({ revision: "r1", status: "DONE", message: "m" });
    for (const pending of await journal.pending()) await journal.confirm(pending);
    expect(readFileSync(join(dir, "sent.json"), "utf8")).toHaveLength(text.length);
    await journal.close();
    expect(await new ReportJournal(dir, "dev-1", "sim").pending()).toEqual([]);
  });

  it("writes the sent cursor once for the confirms of its delay; a kill before it only resends them", async () => {
    const journal = new ReportJournal(dir, "dev-1", "sim", undefined, 200);
    const reports = [];
    for (const status of ["QUEUED", "DOWNLOADING", "INPROGRESS"] as const)
      reports.push(await journal.report({ revision: "r1", status, message: "m" }));
    await journal.confirm(reports[0]!);
    await journal.confirm(reports[1]!);
    // Killed now: a restart sends both again (the gateway takes them as duplicates).
    expect(existsSync(join(dir, "sent.json"))).toBe(false);
    expect(await new ReportJournal(dir, "dev-1", "sim").pending()).toEqual(reports);
    await new Promise((r) => setTimeout(r, 400));
    expect(JSON.parse(readFileSync(join(dir, "sent.json"), "utf8"))).toEqual({ count: 2 });
    expect(await new ReportJournal(dir, "dev-1", "sim").pending()).toEqual(reports.slice(2));
    await journal.confirm(reports[2]!);
    await journal.close(); // written at once on close, not left to the timer
    expect(JSON.parse(readFileSync(join(dir, "sent.json"), "utf8"))).toEqual({ count: 3 });
  });

  it("skips a line torn by a crash mid-append", async () => {
    const journal = new ReportJournal(dir, "dev-1", "lxc");
    const a = await journal.report({ revision: "r1", status: "QUEUED", message: "m" });
    appendFileSync(join(dir, "reports.jsonl"), '{"deviceId":"dev-1","bootId":');
    expect(await new ReportJournal(dir, "dev-1", "lxc").all()).toEqual([a]);
  });

  it("refuses, loudly and without journaling it, a report the gateway would drop as malformed", async () => {
    const errors: string[] = [];
    const log = { info() {}, warn() {}, error: (msg: string) => errors.push(msg) };
    const journal = new ReportJournal(dir, "dev-1", "lxc", log);
    const bad = {
      revision: "fleet#1",
      status: "ERROR" as const,
      message: "m",
      reason: "Not Snake",
    };
    await expect(journal.report(bad)).rejects.toThrow(ReportOutOfContract);
    await expect(journal.report({ ...bad, reason: undefined })).rejects.toThrow(/needs a reason/);
    await expect(journal.report({ ...bad, revision: "" })).rejects.toThrow(/revision/);
    expect(errors).toHaveLength(3);
    expect(await journal.all()).toEqual([]);
    // The next good report takes the next number: nothing was consumed by the refusals.
    const ok = await journal.report({ ...bad, reason: "apply_failed" });
    expect(ok.seq).toBe(1);
  });

  it("cuts an over-long message to the contract's bound and says so", async () => {
    const journal = new ReportJournal(dir, "dev-1", "lxc");
    const long = "x".repeat(10_000);
    const report = await journal.report({ revision: "fleet#1", status: "QUEUED", message: long });
    expect(report.message).toHaveLength(4096);
    expect(report.message.endsWith("…(truncated)")).toBe(true);
  });

  it("journals health reports in the same seq order, pending until sent, outside all()", async () => {
    const journal = new ReportJournal(dir, "dev-1", "lxc");
    const done = await journal.report({ revision: "f#2", status: "DONE", message: "m" });
    const health = await journal.health({
      revision: "f#2",
      health: "container_exited",
      part: "app",
      exitCode: 3,
      count: 1,
      firstAt: done.at,
      lastAt: done.at,
      message: "app: exited",
    });
    expect(health).toMatchObject({ kind: "health", bootId: done.bootId, seq: 2, runtime: "lxc" });
    expect(await journal.pending()).toEqual([done, health]);
    expect(await journal.all()).toEqual([done]);
    const restarted = new ReportJournal(dir, "dev-1", "lxc");
    expect(await restarted.entries()).toEqual([done, health]);
  });
});
