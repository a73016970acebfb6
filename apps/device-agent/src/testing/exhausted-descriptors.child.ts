// Run by journal-resources.unit.spec.ts as its own process under a low `ulimit -n`: takes every
// free descriptor, journals a report and writes its sent cursor while none is left, then gives the
// descriptors back once the journal said it is waiting. Prints one JSON line with what happened.
import { closeSync, openSync } from "node:fs";
import { resourceErrorCounts } from "../fs/resource-retry.js";
import { ReportJournal } from "../report/journal.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: exhausted-descriptors.child.ts <journal dir>");

const warnings: string[] = [];
let waiting: () => void = () => undefined;
const log = {
  info() {},
  warn(msg: string, fields?: Record<string, unknown>) {
    warnings.push(`${msg} ${String(fields?.code)}`);
    waiting();
  },
  error() {},
};

const held: number[] = [];
const exhaust = () => {
  for (;;) {
    try {
      held.push(openSync(dir, "r"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EMFILE") return;
      throw error;
    }
  }
};
const release = () => {
  for (const fd of held.splice(0)) closeSync(fd);
};
const warned = () =>
  new Promise<void>((resolve) => {
    waiting = resolve;
  });

const journal = new ReportJournal(dir, "dev-1", "sim", log);
exhaust();
const first = warned();
const reporting = journal.report({ revision: "fleet#1", status: "QUEUED", message: "queued" });
await first;
release();
const report = await reporting;

const pending = await journal.pending();
exhaust();
const second = warned();
await journal.confirm(report);
// The sent cursor is written on close (or after the confirm delay): with no descriptor left.
const closing = journal.close();
await second;
release();
await closing;

const restarted = new ReportJournal(dir, "dev-1", "sim");
console.log(
  JSON.stringify({
    seq: report.seq,
    pendingBefore: pending.length,
    pendingAfterRestart: (await restarted.pending()).length,
    journaled: (await restarted.all()).map((r) => r.status),
    warnings,
    counts: resourceErrorCounts(),
  }),
);
