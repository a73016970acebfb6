import type { DevicePlaneState } from "./device-plane.js";
import type { DevicePlaneEvent, ReportVerdict } from "./device-report.decider.js";
import type { ProgressReport } from "./device-report.js";
import { sameRevision } from "./revision-name.js";

/** A report of an offline install that is not about the device's target (else: the usual path). */
export function isBundleReceipt(report: ProgressReport, state: DevicePlaneState): boolean {
  if (report.via !== "bundle") return false;
  return !state.target || !sameRevision(state.target.revision, report.revision);
}

/**
 * Every report of an offline install reaches the audit as `BundleInstallReported` (they are few:
 * one install's statuses), ordered like any report by `(bootId, seq)`; a DONE/UPDATED one moves
 * what the device runs. The target is left alone: the orchestrator does not fight the device.
 */
export function decideBundleReceipt(report: ProgressReport): ReportVerdict {
  const event: DevicePlaneEvent = {
    type: "BundleInstallReported",
    data: {
      revision: report.revision,
      status: report.status,
      ...(report.reason !== undefined ? { reason: report.reason } : {}),
      message: report.message,
      reportedAt: report.at,
      report: { bootId: report.bootId, seq: report.seq },
    },
  };
  return { kind: "apply", event };
}
