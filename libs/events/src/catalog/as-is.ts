// Hand-written predicates for the events the gateway appends for nearly every device report
// (UpdateProgressReported, UpdateSucceeded) and for event metadata: each returns true only for a
// value its zod schema accepts AS IT IS (no default, transform or stripped key changes it), at a
// fraction of zod's cost. A false answer decides nothing: zod then judges, and gives the reason.
// `as-is.unit.spec.ts` holds each predicate to its schema over generated variants.
import { TRACEPARENT } from "@statecast/contract";
import { UPDATE_STATUSES } from "@statecast/contract/http";

const STATUSES: ReadonlySet<unknown> = new Set(UPDATE_STATUSES);
const REASON = /^[a-z][a-z0-9_]*$/;
const ACTOR = /^(operator|device|system):[^\s]{1,256}$/;
/** What `new Date().toISOString()` writes for the years 0000-9999; checked as a real date below. */
const CANONICAL_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type Plain = Record<string, unknown>;

const isPlain = (v: unknown): v is Plain =>
  typeof v === "object" &&
  v !== null &&
  !Array.isArray(v) &&
  Object.getPrototypeOf(v) === Object.prototype;
const isString = (v: unknown, min: number, max: number): v is string =>
  typeof v === "string" && v.length >= min && v.length <= max;
/** zod's `z.int()`: a safe integer. */
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const onlyKeys = (o: Plain, allowed: ReadonlySet<string>): boolean => {
  for (const key in o) if (!allowed.has(key)) return false;
  return true;
};
/** An optional field: absent (or undefined, which zod's `.optional()` takes as absent) or valid. */
const optional = (o: Plain, key: string, valid: (v: unknown) => boolean): boolean =>
  o[key] === undefined || valid(o[key]);

const REVISION_KEYS = new Set(["fleet", "number"]);
const isRevision = (v: unknown): boolean =>
  isPlain(v) && onlyKeys(v, REVISION_KEYS) && isString(v.fleet, 1, 128) && isCount(v.number);

const CURSOR_KEYS = new Set(["bootId", "seq"]);
const isCursor = (v: unknown): boolean =>
  isPlain(v) && onlyKeys(v, CURSOR_KEYS) && isString(v.bootId, 1, 128) && isCount(v.seq);

const isMessage = (v: unknown): boolean => isString(v, 0, 4096);
const isReason = (v: unknown): boolean => typeof v === "string" && REASON.test(v);

const DOWNLOAD_KEYS = new Set(["total", "done", "objects", "needed", "delta", "resumed"]);
const isDownloads = (v: unknown): boolean =>
  isPlain(v) &&
  onlyKeys(v, DOWNLOAD_KEYS) &&
  isCount(v.total) &&
  isCount(v.done) &&
  optional(v, "objects", isCount) &&
  optional(v, "needed", isCount) &&
  optional(v, "delta", isCount) &&
  optional(v, "resumed", isCount);

const PROGRESS_KEYS = new Set([
  "bootId",
  "seq",
  "revision",
  "status",
  "progress",
  "message",
  "reason",
  "downloads",
]);

/** UpdateProgressReported's data, as its schema (catalog/device.ts) accepts it unchanged. */
export function progressAsIs(data: unknown): boolean {
  if (!isPlain(data) || !onlyKeys(data, PROGRESS_KEYS)) return false;
  const p = data.progress;
  return (
    isString(data.bootId, 1, 128) &&
    isCount(data.seq) &&
    isRevision(data.revision) &&
    STATUSES.has(data.status) &&
    Number.isSafeInteger(p) &&
    (p as number) >= 0 &&
    (p as number) <= 100 &&
    optional(data, "message", isMessage) &&
    optional(data, "reason", isReason) &&
    optional(data, "downloads", isDownloads)
  );
}

const SUCCEEDED_KEYS = new Set(["revision", "status", "report", "message"]);

/** UpdateSucceeded's data, as its schema (catalog/device.ts) accepts it unchanged. */
export function succeededAsIs(data: unknown): boolean {
  return (
    isPlain(data) &&
    onlyKeys(data, SUCCEEDED_KEYS) &&
    isRevision(data.revision) &&
    (data.status === "DONE" || data.status === "UPDATED") &&
    optional(data, "report", isCursor) &&
    optional(data, "message", isMessage)
  );
}

const METADATA_KEYS = new Set(["correlationId", "causationId", "actor", "traceparent", "now"]);

/**
 * Event metadata (metadata-schema.ts) its schema accepts unchanged. `now` only in the form
 * `toISOString` writes (UTC, milliseconds) and only a real instant: it must come back the same
 * through `Date`. Every other form of an ISO date-time goes to zod.
 */
export function metadataAsIs(metadata: unknown): boolean {
  if (!isPlain(metadata) || !onlyKeys(metadata, METADATA_KEYS)) return false;
  const { now } = metadata;
  return (
    isString(metadata.correlationId, 1, 256) &&
    isString(metadata.causationId, 1, 256) &&
    typeof metadata.actor === "string" &&
    ACTOR.test(metadata.actor) &&
    optional(metadata, "traceparent", (v) => typeof v === "string" && TRACEPARENT.test(v)) &&
    typeof now === "string" &&
    CANONICAL_INSTANT.test(now) &&
    sameInstant(now)
  );
}

/** The last instant found real: a batch's reports mostly share their millisecond. */
let lastInstant = "";

function sameInstant(iso: string): boolean {
  if (iso === lastInstant) return true;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== iso) return false;
  lastInstant = iso;
  return true;
}
