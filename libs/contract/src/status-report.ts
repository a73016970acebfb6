import * as z from "zod/mini";
import { DEVICE_ID, deviceIdSchema as deviceId } from "./device-id.js";
import {
  type HealthReport,
  type HealthReportWire,
  healthReportSchema,
  toHealthReport,
} from "./health-report.js";
import { PREV_SEQ_RULE, prevSeqFits, prevSeqSchema } from "./report-seq.js";
import { parseRevision, REVISION_TEXT as REVISION, type RevisionRef } from "./revision-ref.js";
import { TRACEPARENT } from "./trace-context.js";
import { issuesText } from "./zod.js";

// Shared by the zod schemas and the fast path below, so the two cannot drift apart.
const REASON = /^[a-z][a-z0-9_]*$/;

const bootId = z.string().check(z.minLength(1), z.maxLength(128));
const instant = z.iso.datetime({ offset: true });
const revisionName = z
  .string()
  .check(z.maxLength(200), z.regex(REVISION, "expected <fleet>#<number>"));

const count = (max: number) => z.int().check(z.nonnegative(), z.maximum(max));

const downloads = z.strictObject({
  totalBytes: count(Number.MAX_SAFE_INTEGER),
  fetchedBytes: count(Number.MAX_SAFE_INTEGER),
  objects: count(1_000_000),
  objectsFetched: count(1_000_000),
  /** Bytes reused from an earlier partial download (agents since 0.1 send it on the last report). */
  resumedBytes: z.optional(count(Number.MAX_SAFE_INTEGER)),
  /** Full size of the objects the device lacked; of `fetchedBytes`, those fetched as deltas. */
  neededBytes: z.optional(count(Number.MAX_SAFE_INTEGER)),
  deltaBytes: z.optional(count(Number.MAX_SAFE_INTEGER)),
  deltaObjects: z.optional(count(1_000_000)),
});

/** Pantavisor's device update statuses (DESIGN §5). */
export const IN_FLIGHT = ["QUEUED", "DOWNLOADING", "INPROGRESS", "TESTING"] as const;
export const FINAL = ["DONE", "UPDATED", "WONTGO", "ERROR"] as const;
export type UpdateStatus = (typeof IN_FLIGHT)[number] | (typeof FINAL)[number];

/** A progress report on `sc.dev.<deviceId>.status`, as the agent writes it. */
const progressReport = z
  .strictObject({
    kind: z.optional(z.literal("progress")),
    deviceId,
    bootId,
    seq: z.int().check(z.positive(), z.maximum(Number.MAX_SAFE_INTEGER)),
    prevSeq: z.optional(prevSeqSchema),
    revision: revisionName,
    status: z.enum([...IN_FLIGHT, ...FINAL]),
    progress: z.int().check(z.minimum(0), z.maximum(100)),
    message: z.string().check(z.maxLength(4096)),
    reason: z.optional(
      z.string().check(z.maxLength(64), z.regex(REASON, "expected a snake_case reason")),
    ),
    downloads: z.optional(downloads),
    runtime: z.optional(z.enum(["lxc", "sim"])),
    /** Set on reports of an offline install (`statecast-agent install`), agents since issue 14. */
    via: z.optional(z.literal("bundle")),
    /** W3C trace context of the agent's apply: ingestion continues that trace. */
    traceparent: z.optional(z.string().check(z.regex(TRACEPARENT, "expected a W3C traceparent"))),
    at: instant,
  })
  .check(
    z.refine((r) => (r.status !== "WONTGO" && r.status !== "ERROR") || r.reason !== undefined, {
      message: "a WONTGO or ERROR report needs a reason",
      path: ["reason"],
    }),
    z.refine(prevSeqFits, PREV_SEQ_RULE),
  );

/** A liveness beat on the same subject: presence only, never an update event. */
const heartbeat = z.strictObject({
  kind: z.literal("heartbeat"),
  deviceId,
  bootId,
  agentVersion: z.optional(z.string().check(z.maxLength(64))),
  at: instant,
});

/** The wire form of a progress report: what the agent journals and publishes. */
export type StatusReport = Omit<z.infer<typeof progressReport>, "kind">;
export type DownloadCounters = z.infer<typeof downloads>;
/** The wire form of a liveness beat. */
export type Heartbeat = z.infer<typeof heartbeat>;

/** A progress report as the gateway has parsed it: its revision split into a reference. */
export type ProgressReport = Omit<z.infer<typeof progressReport>, "revision"> & {
  revision: RevisionRef;
};
export type DeviceMessage =
  | ({ kind: "progress" } & ProgressReport)
  | ({ kind: "heartbeat" } & Heartbeat)
  | HealthReport;

/** Largest status payload accepted before parsing (a report is a few hundred bytes). */
export const MAX_REPORT_BYTES = 16 * 1024;

export type ParsedMessage =
  | { ok: true; message: DeviceMessage }
  | { ok: false; reason: "malformed" | "spoofed"; detail: string };

const decoder = new TextDecoder("utf-8", { fatal: true });

/** The JetStream message id of a report: a replay is deduplicated by the server and gateway. */
export function reportMessageId(report: Pick<StatusReport, "deviceId" | "bootId" | "seq">): string {
  return `${report.deviceId}:${report.bootId}:${report.seq}`;
}

/**
 * Why the gateway would refuse this report, or undefined when it accepts it: the agent checks
 * every report with the gateway's own rules before journaling it.
 */
export function refusalOf(report: StatusReport | Heartbeat | HealthReportWire): string | undefined {
  const payload = new TextEncoder().encode(JSON.stringify(report));
  const parsed = parseDeviceMessage(payload, report.deviceId);
  return parsed.ok ? undefined : parsed.detail;
}

/**
 * Validates a payload from `sc.dev.<subjectDeviceId>.status`. Malformed input and a deviceId
 * that differs from the subject's (a spoof) are refused with a reason; nothing throws.
 *
 * The well-formed common case is checked by {@link acceptedFast}, a hand-written predicate that
 * accepts only what the zod schemas accept (a unit test holds it to that over generated inputs)
 * at a tenth of the cost; anything it does not accept, and every refusal, goes through the zod
 * schemas, which give the detailed reason.
 */
export function parseDeviceMessage(payload: Uint8Array, subjectDeviceId: string): ParsedMessage {
  if (payload.byteLength > MAX_REPORT_BYTES) {
    return {
      ok: false,
      reason: "malformed",
      detail: `payload of ${payload.byteLength} bytes over ${MAX_REPORT_BYTES}`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(payload));
  } catch {
    return { ok: false, reason: "malformed", detail: "payload is not UTF-8 JSON" };
  }
  return acceptedFast(json)
    ? toMessage(json as Record<string, unknown>, subjectDeviceId)
    : parseDeviceJsonBySchema(json, subjectDeviceId);
}

/** The decoded JSON of a status message, validated by the zod schemas alone. */
export function parseDeviceJsonBySchema(json: unknown, subjectDeviceId: string): ParsedMessage {
  const kind = typeof json === "object" && json !== null && "kind" in json ? json.kind : undefined;
  const parsed =
    kind === "heartbeat"
      ? heartbeat.safeParse(json)
      : kind === "health"
        ? healthReportSchema.safeParse(json)
        : progressReport.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: "malformed", detail: issuesText(parsed.error) };
  }
  return toMessage(parsed.data, subjectDeviceId);
}

function toMessage(data: Record<string, unknown>, subjectDeviceId: string): ParsedMessage {
  if (data.deviceId !== subjectDeviceId) {
    return {
      ok: false,
      reason: "spoofed",
      detail: `report names ${data.deviceId} on ${subjectDeviceId}'s subject`,
    };
  }
  if (data.kind === "health") {
    return { ok: true, message: toHealthReport(data as Parameters<typeof toHealthReport>[0]) };
  }
  // `data` is this parse's own object (JSON.parse's or zod's output): completed in place, the
  // same value as `{...data, kind, revision}` at a fraction of the cost (V8 gives a spread that
  // then adds a field a fresh hidden class each time, ~1 µs per message).
  if (data.kind !== "heartbeat") {
    const revision = parseRevision(data.revision as string);
    data.kind = "progress";
    data.revision = revision;
    return { ok: true, message: data as unknown as { kind: "progress" } & ProgressReport };
  }
  return { ok: true, message: data as unknown as { kind: "heartbeat" } & Heartbeat };
}

const PROGRESS_KEYS = new Set([
  "kind",
  "deviceId",
  "bootId",
  "seq",
  "prevSeq",
  "revision",
  "status",
  "progress",
  "message",
  "reason",
  "downloads",
  "runtime",
  "via",
  "traceparent",
  "at",
]);
const HEARTBEAT_KEYS = new Set(["kind", "deviceId", "bootId", "agentVersion", "at"]);
const DOWNLOAD_KEYS = new Set([
  "totalBytes",
  "fetchedBytes",
  "objects",
  "objectsFetched",
  "resumedBytes",
  "neededBytes",
  "deltaBytes",
  "deltaObjects",
]);
const STATUSES = new Set<unknown>([...IN_FLIGHT, ...FINAL]);

const isString = (v: unknown, max: number, min = 0): v is string =>
  typeof v === "string" && v.length >= min && v.length <= max;
const isInt = (v: unknown, min: number, max: number): v is number =>
  Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const onlyKeys = (o: object, allowed: ReadonlySet<string>) => {
  for (const key of Object.keys(o)) if (!allowed.has(key)) return false;
  return true;
};

/**
 * True only for a message the zod schemas accept as it is (a false answer decides nothing: the
 * schemas then judge). Same rules, field by field: strict keys, bounded strings, the same regular
 * expressions, safe integers in range, the WONTGO/ERROR reason rule.
 */
export function acceptedFast(json: unknown): boolean {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return false;
  const o = json as Record<string, unknown>;
  if (!isString(o.deviceId, 64) || !DEVICE_ID.test(o.deviceId)) return false;
  if (!isString(o.bootId, 128, 1)) return false;
  if (typeof o.at !== "string" || !instant.safeParse(o.at).success) return false;
  if (o.kind === "heartbeat") {
    if (!onlyKeys(o, HEARTBEAT_KEYS)) return false;
    return o.agentVersion === undefined ? !("agentVersion" in o) : isString(o.agentVersion, 64);
  }
  if (!onlyKeys(o, PROGRESS_KEYS)) return false;
  if ("kind" in o && o.kind !== "progress") return false;
  if (!isInt(o.seq, 1, Number.MAX_SAFE_INTEGER)) return false;
  if ("prevSeq" in o && !isInt(o.prevSeq, 0, o.seq - 1)) return false;
  if (!isString(o.revision, 200) || !REVISION.test(o.revision)) return false;
  if (!STATUSES.has(o.status)) return false;
  if (!isInt(o.progress, 0, 100)) return false;
  if (!isString(o.message, 4096)) return false;
  if ("reason" in o && !(isString(o.reason, 64) && REASON.test(o.reason))) return false;
  if ((o.status === "WONTGO" || o.status === "ERROR") && !("reason" in o)) return false;
  if ("runtime" in o && o.runtime !== "lxc" && o.runtime !== "sim") return false;
  if ("via" in o && o.via !== "bundle") return false;
  if ("traceparent" in o && !(typeof o.traceparent === "string" && TRACEPARENT.test(o.traceparent)))
    return false;
  if ("downloads" in o) {
    const d = o.downloads;
    if (typeof d !== "object" || d === null || Array.isArray(d)) return false;
    const r = d as Record<string, unknown>;
    if (!onlyKeys(r, DOWNLOAD_KEYS)) return false;
    for (const key of ["resumedBytes", "neededBytes", "deltaBytes"])
      if (key in r && !isInt(r[key], 0, Number.MAX_SAFE_INTEGER)) return false;
    if ("deltaObjects" in r && !isInt(r.deltaObjects, 0, 1_000_000)) return false;
    if (!isInt(r.totalBytes, 0, Number.MAX_SAFE_INTEGER)) return false;
    if (!isInt(r.fetchedBytes, 0, Number.MAX_SAFE_INTEGER)) return false;
    if (!isInt(r.objects, 0, 1_000_000) || !isInt(r.objectsFetched, 0, 1_000_000)) return false;
  }
  return true;
}

/** What the gateway sends on `reportBackoffSubject(deviceId)` when a device reports too fast. */
export const reportBackoffSchema = z.strictObject({
  retryAfterMs: z.number().check(z.nonnegative()),
  reason: z.string(),
});
export type ReportBackoff = z.infer<typeof reportBackoffSchema>;
