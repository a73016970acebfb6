import type { DevicePlaneState } from "./device-plane.js";
import type { ReportCursorData } from "./device-report.decider.js";

/**
 * Seqs of one boot that a report came ahead of: the agent journals and sends its reports with
 * contiguous seqs per boot (health reports share the counter), so a report past the next one
 * means earlier ones are still on their way (a gateway died with them in flight and JetStream
 * redelivers them only after the consumer's ack wait). Applied now, the report would make them
 * stale when they arrive: it is held until they are applied, or given up on.
 *
 * Some seqs are journaled but never sent on purpose (a local revision's reports): a report that
 * carries `prevSeq` (the seq its agent sent before it, 0 for none) says so, and only `prevSeq`
 * is waited for; seqs between it and the report are no gap. Without `prevSeq` (agents of the
 * previous release) every seq before the report is.
 */
export interface ReportGap {
  bootId: string;
  /** First and last missing seq, inclusive: the seqs waited for. */
  from: number;
  to: number;
}

/**
 * The seqs missing before `report`, or null when it is the next one (or not news at all, which
 * `ordering` decides). Counted from the later of the applied cursor and `consumed` (the last
 * report of the device acked without an event, as far as the caller knows) on the same boot; a
 * boot the device never reported from starts at seq 1, its first report included (a device can
 * publish only once enrolled, and reports only for a target it was given). With `prevSeq` the
 * gap is that one seq, and none when it is at or below that point.
 */
export function gapBefore(
  report: { bootId: string; seq: number; prevSeq?: number | undefined },
  state: DevicePlaneState,
  consumed?: ReportCursorData,
): ReportGap | null {
  let last = 0;
  if (state.cursor?.bootId === report.bootId) last = state.cursor.seq;
  else if (state.boots.includes(report.bootId)) return null; // an earlier boot: stale
  if (consumed?.bootId === report.bootId) last = Math.max(last, consumed.seq);
  if (report.seq <= last + 1) return null;
  if (report.prevSeq === undefined)
    return { bootId: report.bootId, from: last + 1, to: report.seq - 1 };
  // The report the agent sent before this one is in (or was acked): the seqs between it and
  // this one were never sent. Otherwise that one report is on its way; it names its own
  // predecessor when it comes.
  if (report.prevSeq <= last) return null;
  return { bootId: report.bootId, from: report.prevSeq, to: report.prevSeq };
}

/** The gap's seqs in words, for logs: `7` or `7-9`. */
export const gapSeqs = (gap: ReportGap): string =>
  gap.from === gap.to ? `${gap.from}` : `${gap.from}-${gap.to}`;
