import * as z from "zod/mini";
import { deviceIdSchema } from "./device-id.js";
import { REVISION_TEXT } from "./revision-ref.js";
import { issuesText } from "./zod.js";

/**
 * The agent's default interval between two metrics messages. It was 15 s: a 10,000-device fleet
 * then sent 667 messages a second, each a KV write at the gateway, more than a rollout's own
 * reports: 16 % of the gateway's CPU in `bench:fleet`, the KV writes besides (issue 16). A minute
 * still shows a device's numbers stale within three minutes; a device may ask for down to
 * `MIN_METRICS_INTERVAL_MS`.
 */
export const METRICS_INTERVAL_MS = 60_000;
/** No agent sends metrics more often than this; the gateway drops a device's excess. */
export const MIN_METRICS_INTERVAL_MS = 5_000;
/** Largest metrics payload accepted before parsing. */
export const MAX_METRICS_BYTES = 16 * 1024;
/** Containers listed in one message (a state has a handful of parts). */
export const MAX_METRICS_CONTAINERS = 64;

export const CONTAINER_STATES = ["RUNNING", "STOPPED", "STARTING", "STOPPING", "ABSENT"] as const;

const bytes = z.int().check(z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER));
const name = z.string().check(z.minLength(1), z.maxLength(128));

const container = z.strictObject({
  part: name,
  name: z.string().check(z.minLength(1), z.maxLength(256)),
  state: z.enum(CONTAINER_STATES),
  /** Restarts by auto_recovery since the agent started. */
  restarts: z.int().check(z.nonnegative(), z.maximum(1_000_000)),
});

/**
 * Version 1 of a device's metrics on `sc.dev.<deviceId>.metrics` (core NATS, agents since issue
 * 14): the board's uptime, CPU, memory, the store's free disk, and the committed revision's
 * containers. Read from /proc and statfs on the device; a `sim` device reports the numbers of
 * the machine its agent runs on and container states of its simulated runtime. Presence, not
 * history: the gateway keeps the latest per device (KV `sc_device_metrics`), never as events.
 */
export const deviceMetricsSchema = z.strictObject({
  kind: z.literal("metrics"),
  v: z.literal(1),
  deviceId: deviceIdSchema,
  bootId: z.string().check(z.minLength(1), z.maxLength(128)),
  runtime: z.enum(["lxc", "sim"]),
  /** The committed revision whose containers are listed (absent before the first commit). */
  revision: z.optional(
    z.string().check(z.maxLength(200), z.regex(REVISION_TEXT, "expected <fleet>#<number>")),
  ),
  /** How often this agent sends metrics: the reader calls them stale past three intervals. */
  intervalSeconds: z.int().check(z.minimum(MIN_METRICS_INTERVAL_MS / 1000), z.maximum(86_400)),
  uptimeSeconds: z.number().check(z.nonnegative(), z.maximum(1e10)),
  cpu: z.strictObject({
    /** Busy share of all cores since the previous message (since boot for the first), 0-100. */
    percent: z.number().check(z.minimum(0), z.maximum(100)),
    cores: z.int().check(z.positive(), z.maximum(4096)),
    load1: z.number().check(z.nonnegative(), z.maximum(1e6)),
  }),
  memory: z.strictObject({ totalBytes: bytes, availableBytes: bytes }),
  /** The filesystem of the agent's store (objects, trails, logs). */
  disk: z.strictObject({ totalBytes: bytes, freeBytes: bytes }),
  containers: z.array(container).check(z.maxLength(MAX_METRICS_CONTAINERS)),
  at: z.iso.datetime({ offset: true }),
});

export type DeviceMetrics = z.infer<typeof deviceMetricsSchema>;
export type ContainerMetrics = DeviceMetrics["containers"][number];

export type ParsedMetrics =
  | { ok: true; metrics: DeviceMetrics }
  | { ok: false; reason: "malformed" | "spoofed"; detail: string };

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Validates a payload from `sc.dev.<subjectDeviceId>.metrics`: oversized, non-JSON or
 * off-schema input is `malformed`, a deviceId other than the subject's is `spoofed`. Never throws.
 */
export function parseDeviceMetrics(payload: Uint8Array, subjectDeviceId: string): ParsedMetrics {
  if (payload.byteLength > MAX_METRICS_BYTES)
    return {
      ok: false,
      reason: "malformed",
      detail: `payload of ${payload.byteLength} bytes over ${MAX_METRICS_BYTES}`,
    };
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(payload));
  } catch {
    return { ok: false, reason: "malformed", detail: "payload is not UTF-8 JSON" };
  }
  const parsed = deviceMetricsSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: "malformed", detail: issuesText(parsed.error) };
  if (parsed.data.deviceId !== subjectDeviceId)
    return {
      ok: false,
      reason: "spoofed",
      detail: `metrics name ${parsed.data.deviceId} on ${subjectDeviceId}'s subject`,
    };
  return { ok: true, metrics: parsed.data };
}
