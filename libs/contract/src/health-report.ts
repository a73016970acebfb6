import * as z from "zod/mini";
import { deviceIdSchema } from "./device-id.js";
import { PREV_SEQ_RULE, prevSeqFits, prevSeqSchema } from "./report-seq.js";
import { parseRevision, REVISION_TEXT, type RevisionRef } from "./revision-ref.js";

export const HEALTH_KINDS = [
  "container_exited",
  "container_restarted",
  "status_goal_lost",
  "agent_restarted",
  "board_rebooted",
] as const;
export type HealthKind = (typeof HEALTH_KINDS)[number];

const instant = z.iso.datetime({ offset: true });

/**
 * A health report on `sc.dev.<deviceId>.status` (agents since issue 14): what went wrong with the
 * committed revision after `DONE`. It shares the journal's `(bootId, seq)` with progress reports,
 * so replays are idempotent the same way. Agents of the previous release never send it.
 */
export const healthReportSchema = z
  .strictObject({
    kind: z.literal("health"),
    deviceId: deviceIdSchema,
    bootId: z.string().check(z.minLength(1), z.maxLength(128)),
    seq: z.int().check(z.positive(), z.maximum(Number.MAX_SAFE_INTEGER)),
    prevSeq: z.optional(prevSeqSchema),
    revision: z
      .string()
      .check(z.maxLength(200), z.regex(REVISION_TEXT, "expected <fleet>#<number>")),
    health: z.enum(HEALTH_KINDS),
    part: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
    exitCode: z.optional(z.int().check(z.minimum(0), z.maximum(255))),
    signal: z.optional(z.int().check(z.minimum(1), z.maximum(128))),
    count: z.int().check(z.positive(), z.maximum(1_000_000)),
    firstAt: instant,
    lastAt: instant,
    message: z.string().check(z.maxLength(4096)),
    runtime: z.optional(z.enum(["lxc", "sim"])),
    at: instant,
  })
  .check(z.refine(prevSeqFits, PREV_SEQ_RULE));

/** The wire form of a health report: what the agent journals and publishes. */
export type HealthReportWire = z.infer<typeof healthReportSchema>;

/** A health report as the gateway has parsed it: its revision split into a reference. */
export type HealthReport = Omit<HealthReportWire, "revision"> & { revision: RevisionRef };

export function toHealthReport(data: HealthReportWire): HealthReport {
  return { ...data, revision: parseRevision(data.revision) };
}
