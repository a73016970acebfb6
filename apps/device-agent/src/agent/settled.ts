import type { TargetEnvelope } from "@statecast/contract";
import type { Logger } from "../log.js";
import type { ReportJournal } from "../report/journal.js";
import type { StatusReport } from "../report/report.js";

const FINAL = new Set(["DONE", "UPDATED", "WONTGO", "ERROR"]);

/**
 * The target KV hands the same target again after every restart (a board reboots into a try
 * and back): when its seq already reached a final report, that report stands and nothing new
 * is said (no `stale_revision` after the `DONE`).
 */
export async function alreadySettled(
  journal: ReportJournal,
  log: Logger,
  envelope: TargetEnvelope,
  record: { lastSeq: number; lastSeqSettled: boolean },
): Promise<StatusReport | undefined> {
  if (envelope.seq !== record.lastSeq || !record.lastSeqSettled) return undefined;
  const last = (await journal.all()).filter((r) => r.revision === envelope.revision).at(-1);
  if (!last || !FINAL.has(last.status)) return undefined;
  log.info("target already settled", { revision: envelope.revision, status: last.status });
  return last;
}
