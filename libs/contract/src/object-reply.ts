/**
 * The gateway's answers on `sc.dev.<id>.object` (request/reply; the request body is JSON
 * `{sha, seq?, for?, deltas?}`): every reply carries its status in header `Sc-Status`, and a
 * chunk its stream sequence in `Sc-Seq`. Anything but `ok` has a human reason as its body.
 */
export const OBJECT_STATUS_HEADER = "Sc-Status";
export const OBJECT_SEQ_HEADER = "Sc-Seq";
/** On `unavailable`: how long (ms, decimal text) the gateway suggests waiting before asking again. */
export const OBJECT_RETRY_AFTER_HEADER = "Sc-Retry-After-Ms";

/**
 * - `ok`: the answer (info JSON, offers JSON or a chunk).
 * - `refused`: the device may not read this object (final).
 * - `missing`: the object (or a chunk after the sequence asked) is not in `sc_objects` (final).
 * - `unavailable` (issue 16, additive): the gateway could not read the object now (its reads are
 *   queued past their wait, or a read of `sc_objects` failed): ask again later. Agents of earlier
 *   releases take any status but `ok` and `refused` as `missing`, as they took the gateway's
 *   "try again" answer before, so the new status changes nothing for them.
 */
export const OBJECT_STATUSES = ["ok", "refused", "missing", "unavailable"] as const;
export type ObjectStatus = (typeof OBJECT_STATUSES)[number];

/**
 * What gateways before issue 16 answered (status `missing`) when a read of `sc_objects` failed,
 * word for word: an agent takes it as `unavailable`, so it retries against those gateways too.
 */
export const LEGACY_UNAVAILABLE_REASON = "the gateway could not read the object; try again";

/** How an agent takes a reply: the answer, a final refusal or absence, or a later try. */
export type ObjectReplyKind = "ok" | "refused" | "missing" | "unavailable";

export function objectReplyKind(status: string | undefined, reason: string): ObjectReplyKind {
  if (status === "ok" || status === "refused" || status === "unavailable") return status;
  if (status === "missing" && reason === LEGACY_UNAVAILABLE_REASON) return "unavailable";
  return "missing";
}

/** The `Sc-Retry-After-Ms` hint when it is a sane number of ms (at most a minute), else undefined. */
export function objectRetryAfterMs(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d{1,5}$/.test(header)) return undefined;
  const ms = Number(header);
  return ms <= 60_000 ? ms : undefined;
}
