import * as z from "zod/mini";

/**
 * `prevSeq`, on progress and health reports (optional and additive: agents of the previous
 * release never send it): the seq of the report this boot's agent SENT before this one, 0 when
 * this is the first it sends. Seqs between the two were journaled but kept on the device on
 * purpose (a local revision's reports), so the gateway waits only for `prevSeq`, never for them.
 * It is written into the journaled entry, so a resend carries the same value.
 */
export const prevSeqSchema = z.int().check(z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER));

/** `prevSeq` names an earlier report: the rule for the schemas and the fast path alike. */
export const prevSeqFits = (report: { seq: number; prevSeq?: number | undefined }): boolean =>
  report.prevSeq === undefined || report.prevSeq < report.seq;

export const PREV_SEQ_RULE = { message: "prevSeq must be below seq", path: ["prevSeq"] };
