import type { HealthReport } from "@statecast/contract";
import { isDecommissioned, isEnrolled } from "./device.js";
import type { DevicePlaneState } from "./device-plane.js";
import { type DevicePlaneEvent, ordering, type ReportVerdict } from "./device-report.decider.js";

export { HEALTH_KINDS, type HealthKind, type HealthReport } from "@statecast/contract";

/**
 * A health report becomes one `DeviceHealthReported` on the device stream, ordered with the
 * device's progress reports by `(bootId, seq)`. It needs an enrolled device only: it says what
 * the device runs, whatever its target (a drifted device is still worth hearing about).
 */
export function decideHealth(report: HealthReport, state: DevicePlaneState): ReportVerdict {
  if (!isEnrolled(state))
    return { kind: "drop", reason: "unknown_device", detail: `${report.deviceId} not enrolled` };
  if (isDecommissioned(state))
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
