import { z } from "zod";
import type { DevicePlaneState } from "./device-plane.js";
import { type DevicePlaneEvent, ordering, type ReportVerdict } from "./device-report.decider.js";
import { parseRevision, type RevisionRef } from "./revision-name.js";

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
export const healthReportSchema = z.strictObject({
  kind: z.literal("health"),
  deviceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "expected a device id"),
  bootId: z.string().min(1).max(128),
  seq: z.int().positive().max(Number.MAX_SAFE_INTEGER),
  revision: z
    .string()
    .max(200)
    .regex(/^[^#\s]{1,128}#(0|[1-9][0-9]{0,14})$/, "expected <fleet>#<number>"),
  health: z.enum(HEALTH_KINDS),
  part: z.string().min(1).max(128).optional(),
  exitCode: z.int().min(0).max(255).optional(),
  signal: z.int().min(1).max(128).optional(),
  count: z.int().positive().max(1_000_000),
  firstAt: instant,
  lastAt: instant,
  message: z.string().max(4096),
  runtime: z.enum(["lxc", "sim"]).optional(),
  at: instant,
});

export type HealthReport = Omit<z.infer<typeof healthReportSchema>, "revision"> & {
  revision: RevisionRef;
};

export function toHealthReport(data: z.infer<typeof healthReportSchema>): HealthReport {
  return { ...data, revision: parseRevision(data.revision) };
}

/**
 * A health report becomes one `DeviceHealthReported` on the device stream, ordered with the
 * device's progress reports by `(bootId, seq)`. It needs an enrolled device only: it says what
 * the device runs, whatever its target (a drifted device is still worth hearing about).
 */
export function decideHealth(report: HealthReport, state: DevicePlaneState): ReportVerdict {
  if (!state.enrolled)
    return { kind: "drop", reason: "unknown_device", detail: `${report.deviceId} not enrolled` };
  if (state.decommissioned)
    return { kind: "drop", reason: "decommissioned", detail: `${report.deviceId} decommissioned` };
  const order = ordering(report, state);
  if (order) return order;
  const event: DevicePlaneEvent = {
    type: "DeviceHealthReported",
    data: {
      revision: report.revision,
      kind: report.health,
      ...(report.part !== undefined ? { part: report.part } : {}),
      ...(report.exitCode !== undefined ? { exitCode: report.exitCode } : {}),
      ...(report.signal !== undefined ? { signal: report.signal } : {}),
      count: report.count,
      firstAt: report.firstAt,
      lastAt: report.lastAt,
      message: report.message,
      report: { bootId: report.bootId, seq: report.seq },
    },
  };
  return { kind: "apply", event };
}
