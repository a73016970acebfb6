import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ReportJournal } from "./journal.js";

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

  it("skips a line torn by a crash mid-append", async () => {
    const journal = new ReportJournal(dir, "dev-1", "lxc");
    const a = await journal.report({ revision: "r1", status: "QUEUED", message: "m" });
    appendFileSync(join(dir, "reports.jsonl"), '{"deviceId":"dev-1","bootId":');
    expect(await new ReportJournal(dir, "dev-1", "lxc").all()).toEqual([a]);
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
