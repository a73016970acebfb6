import type { RevisionSpec } from "../model/revision.js";
import type { ReportJournal } from "../report/journal.js";
import { isFinal, type StatusReport } from "../report/report.js";
import type { AgentRecord } from "../store/local-store.js";
import type { TargetEnvelope } from "../target/envelope.js";

/**
 * The target the device already runs, seen again (the KV watch hands the current target to every
 * agent start and reconnect): the same seq, settled, and the committed revision's state. Nothing
 * to do and nothing to report — above all not `WONTGO stale_revision` for what it runs.
 */
export function isAlreadyRunning(
  envelope: TargetEnvelope,
  record: AgentRecord,
  committed: RevisionSpec | undefined,
): boolean {
  return (
    committed !== undefined &&
    envelope.seq === record.lastSeq &&
    record.lastSeqSettled &&
    envelope.stateDigest === committed.id &&
    envelope.revision === committed.ref
  );
}

/** The final report the device gave for `revision` (what the caller of an apply gets back). */
export async function lastFinalReport(
  journal: ReportJournal,
  revision: string,
): Promise<StatusReport | undefined> {
  const reports = await journal.all();
  return reports.reverse().find((r) => r.revision === revision && isFinal(r.status));
}
