import { z } from "zod";
import { parseRevision, type RevisionRef } from "./revision-name.js";

const deviceId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, "expected a device id of 1-64 A-Z a-z 0-9 _ -");
const bootId = z.string().min(1).max(128);
const instant = z.iso.datetime({ offset: true });
const revisionName = z
  .string()
  .max(200)
  .regex(/^[^#\s]{1,128}#(0|[1-9][0-9]{0,14})$/, "expected <fleet>#<number>");

const downloads = z.strictObject({
  totalBytes: z.int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  fetchedBytes: z.int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  objects: z.int().nonnegative().max(1_000_000),
  objectsFetched: z.int().nonnegative().max(1_000_000),
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
    reason: z
      .string()
      .max(64)
      .regex(/^[a-z][a-z0-9_]*$/, "expected a snake_case reason")
      .optional(),
    downloads: downloads.optional(),
    runtime: z.enum(["lxc", "sim"]).optional(),
    /** W3C trace context of the agent's apply: ingestion continues that trace. */
    traceparent: z
      .string()
      .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, "expected a W3C traceparent")
      .optional(),
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
  | ({ kind: "heartbeat" } & Heartbeat);

/** Largest status payload accepted before parsing (a report is a few hundred bytes). */
export const MAX_REPORT_BYTES = 16 * 1024;

export type ParsedMessage =
  | { ok: true; message: DeviceMessage }
  | { ok: false; reason: "malformed" | "spoofed"; detail: string };

/**
 * Validates a payload from `sc.dev.<subjectDeviceId>.status`. Malformed input and a deviceId
 * that differs from the subject's (a spoof) are refused with a reason; nothing throws.
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
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    return { ok: false, reason: "malformed", detail: "payload is not UTF-8 JSON" };
  }
  const isBeat =
    typeof json === "object" && json !== null && "kind" in json && json.kind === "heartbeat";
  const parsed = isBeat ? heartbeat.safeParse(json) : progressReport.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    return { ok: false, reason: "malformed", detail: issues.slice(0, 5).join("; ") };
  }
  const data = parsed.data;
  if (data.deviceId !== subjectDeviceId) {
    return {
      ok: false,
      reason: "spoofed",
      detail: `report names ${data.deviceId} on ${subjectDeviceId}'s subject`,
    };
  }
  if ("revision" in data) {
    const { kind: _kind, ...rest } = data;
    return {
      ok: true,
      message: { ...rest, kind: "progress", revision: parseRevision(data.revision) },
    };
  }
  return { ok: true, message: { ...data, kind: "heartbeat" } };
}
