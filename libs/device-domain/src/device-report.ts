import { z } from "zod";
import { type HealthReport, healthReportSchema, toHealthReport } from "./device-health.js";
import { parseRevision, type RevisionRef } from "./revision-name.js";

// Shared by the zod schemas and the fast path below, so the two cannot drift apart.
const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const REVISION = /^[^#\s]{1,128}#(0|[1-9][0-9]{0,14})$/;
const REASON = /^[a-z][a-z0-9_]*$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

const deviceId = z.string().regex(DEVICE_ID, "expected a device id of 1-64 A-Z a-z 0-9 _ -");
const bootId = z.string().min(1).max(128);
const instant = z.iso.datetime({ offset: true });
const revisionName = z.string().max(200).regex(REVISION, "expected <fleet>#<number>");

const downloads = z.strictObject({
  totalBytes: z.int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  fetchedBytes: z.int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  objects: z.int().nonnegative().max(1_000_000),
  objectsFetched: z.int().nonnegative().max(1_000_000),
  /** Bytes reused from an earlier partial download (agents since 0.1 send it on the last report). */
  resumedBytes: z.int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  /** Full size of the objects the device lacked; of `fetchedBytes`, those fetched as deltas. */
  neededBytes: z.int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  deltaBytes: z.int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  deltaObjects: z.int().nonnegative().max(1_000_000).optional(),
});

export const IN_FLIGHT = ["QUEUED", "DOWNLOADING", "INPROGRESS", "TESTING"] as const;
export const FINAL = ["DONE", "UPDATED", "WONTGO", "ERROR"] as const;

/** A progress report on `sc.dev.<deviceId>.status` (the agent's `StatusReport`). */
const progressReport = z
  .strictObject({
    kind: z.literal("progress").optional(),
    deviceId,
    bootId,
    seq: z.int().positive().max(Number.MAX_SAFE_INTEGER),
    revision: revisionName,
    status: z.enum([...IN_FLIGHT, ...FINAL]),
    progress: z.int().min(0).max(100),
    message: z.string().max(4096),
    reason: z.string().max(64).regex(REASON, "expected a snake_case reason").optional(),
    downloads: downloads.optional(),
    runtime: z.enum(["lxc", "sim"]).optional(),
    /** Set on reports of an offline install (`statecast-agent install`), agents since issue 14. */
    via: z.literal("bundle").optional(),
    /** W3C trace context of the agent's apply: ingestion continues that trace. */
    traceparent: z.string().regex(TRACEPARENT, "expected a W3C traceparent").optional(),
    at: instant,
  })
  .refine((r) => (r.status !== "WONTGO" && r.status !== "ERROR") || r.reason !== undefined, {
    message: "a WONTGO or ERROR report needs a reason",
    path: ["reason"],
  });

/** A liveness beat on the same subject: presence only, never an update event. */
const heartbeat = z.strictObject({
  kind: z.literal("heartbeat"),
  deviceId,
  bootId,
  agentVersion: z.string().max(64).optional(),
  at: instant,
});

export type ProgressReport = Omit<z.infer<typeof progressReport>, "revision"> & {
  revision: RevisionRef;
};
export type Heartbeat = z.infer<typeof heartbeat>;
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
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    return { ok: false, reason: "malformed", detail: issues.slice(0, 5).join("; ") };
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
  if (data.kind !== "heartbeat") {
    const revision = parseRevision(data.revision as string);
    const report = { ...(data as Omit<ProgressReport, "revision">), kind: "progress" as const };
    return { ok: true, message: { ...report, revision } };
  }
  return { ok: true, message: { ...(data as Heartbeat), kind: "heartbeat" } };
}

const PROGRESS_KEYS = new Set([
  "kind",
  "deviceId",
  "bootId",
  "seq",
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
