import type { Heartbeat, ProgressReport } from "@statecast/contract";
import { formatRevision, sameRevision } from "@statecast/contract";
import type {
  DeviceBundleEvents,
  DeviceEvents,
  DeviceHealthEvents,
  EventOf,
} from "@statecast/events";
import { isDecommissioned, isEnrolled } from "./device.js";
import { decideBundleReceipt, isBundleReceipt } from "./device-bundle.js";
import type { DevicePlaneState } from "./device-plane.js";

export type ReportCursorData = { bootId: string; seq: number };

/** The device events a report can become: typed from the catalog's schemas. */
export type DevicePlaneEvent = EventOf<
  | typeof DeviceEvents.UpdateProgressReported
  | typeof DeviceEvents.UpdateSucceeded
  | typeof DeviceEvents.UpdateRejected
  | typeof DeviceEvents.UpdateFailed
  | typeof DeviceEvents.DeviceRolledBack
  | typeof DeviceEvents.DeviceCameOnline
  | typeof DeviceEvents.DeviceWentOffline
  | typeof DeviceBundleEvents.BundleInstallReported
  | typeof DeviceHealthEvents.DeviceHealthReported
>;

/** Why a report became no event. Every one is acked and counted, never retried. */
export type DropReason =
  | "unknown_device"
  | "decommissioned"
  | "duplicate"
  | "stale"
  | "no_target"
  | "not_targeted"
  | "settled";

export type ReportVerdict =
  | { kind: "apply"; event: DevicePlaneEvent }
  | { kind: "drop"; reason: DropReason; detail: string };

const drop = (reason: DropReason, detail: string): ReportVerdict => ({
  kind: "drop",
  reason,
  detail,
});

/** Orders the report against the last applied one: only a strictly later report is news. */
export function ordering(
  report: Pick<ProgressReport, "bootId" | "seq">,
  state: DevicePlaneState,
): ReportVerdict | null {
  const cursor = state.cursor;
  if (!cursor) return null;
  if (report.bootId === cursor.bootId) {
    if (report.seq === cursor.seq) return drop("duplicate", `seq ${report.seq} already applied`);
    if (report.seq < cursor.seq)
      return drop("stale", `seq ${report.seq} is below the applied ${cursor.seq}`);
    return null;
  }
  if (state.boots.includes(report.bootId))
    return drop("stale", `boot ${report.bootId} was followed by boot ${cursor.bootId}`);
  return null; // a boot never seen before starts a later epoch
}

function outcomeEvent(report: ProgressReport, state: DevicePlaneState): DevicePlaneEvent {
  const revision = report.revision;
  const cursor = { bootId: report.bootId, seq: report.seq };
  const reason = report.reason ?? "unspecified";
  switch (report.status) {
    case "DONE":
    case "UPDATED":
      return {
        type: "UpdateSucceeded",
        data: {
          revision,
          status: report.status,
          report: cursor,
          ...(report.message ? { message: report.message } : {}),
        },
      };
    case "WONTGO":
      return {
        type: "UpdateRejected",
        data: { revision, reason, message: report.message, report: cursor },
      };
    case "ERROR": {
      // After a success on this target the device can only fail by rolling back.
      const succeeded = state.outcome === "DONE" || state.outcome === "UPDATED";
      const to = succeeded ? state.previous : state.currentRevision;
      if ((succeeded || reason === "unexpected_rollback") && to && !sameRevision(to, revision))
        return { type: "DeviceRolledBack", data: { from: revision, to, reason, report: cursor } };
      return {
        type: "UpdateFailed",
        data: { revision, reason, message: report.message, report: cursor },
      };
    }
    default:
      return {
        type: "UpdateProgressReported",
        data: {
          bootId: report.bootId,
          seq: report.seq,
          revision,
          status: report.status,
          progress: report.progress,
          message: report.message,
          ...(report.reason !== undefined ? { reason: report.reason } : {}),
          ...(report.downloads
            ? {
                downloads: transferOf(report.downloads),
              }
            : {}),
        },
      };
  }
}

/** The report's download counters as the event stores them (new fields only when sent). */
function transferOf(d: NonNullable<ProgressReport["downloads"]>) {
  return {
    total: d.totalBytes,
    done: d.fetchedBytes,
    objects: d.objects,
    ...(d.neededBytes !== undefined ? { needed: d.neededBytes } : {}),
    ...(d.deltaBytes !== undefined ? { delta: d.deltaBytes } : {}),
    ...(d.resumedBytes !== undefined ? { resumed: d.resumedBytes } : {}),
  };
}

function settledAlready(report: ProgressReport, state: DevicePlaneState): boolean {
  if (state.outcome === null) return false;
  const rollbackAfterSuccess =
    report.status === "ERROR" && (state.outcome === "DONE" || state.outcome === "UPDATED");
  return !rollbackAfterSuccess;
}

/** decide(report, state) → at most one device event, pure; never moves a device backwards. */
export function decideReport(report: ProgressReport, state: DevicePlaneState): ReportVerdict {
  if (!isEnrolled(state))
    return drop("unknown_device", `device ${report.deviceId} is not enrolled`);
  if (isDecommissioned(state))
    return drop("decommissioned", `device ${report.deviceId} is decommissioned`);
  const order = ordering(report, state);
  if (order) return order;
  if (isBundleReceipt(report, state)) return decideBundleReceipt(report);
  if (!state.target)
    return drop("no_target", `no target assigned, report names ${formatRevision(report.revision)}`);
  if (!sameRevision(state.target.revision, report.revision))
    return drop(
      "not_targeted",
      `report names ${formatRevision(report.revision)}, target is ${formatRevision(state.target.revision)}`,
    );
  if (settledAlready(report, state))
    return drop(
      "settled",
      `target ${formatRevision(report.revision)} already ended ${state.outcome}`,
    );
  return { kind: "apply", event: outcomeEvent(report, state) };
}

/** A heartbeat is news only when the device was offline: presence transitions, never beats. */
export function decideHeartbeat(beat: Heartbeat, state: DevicePlaneState): DevicePlaneEvent | null {
  if (!isEnrolled(state) || isDecommissioned(state) || state.announcedOnline) return null;
  return {
    type: "DeviceCameOnline",
    data: {
      bootId: beat.bootId,
      ...(beat.agentVersion ? { agentVersion: beat.agentVersion } : {}),
    },
  };
}

/** Silence past the timeout is news only when the device was online. */
export function decideOffline(
  state: DevicePlaneState,
  lastSeenAt: string,
): DevicePlaneEvent | null {
  if (!state.announcedOnline || isDecommissioned(state)) return null;
  return { type: "DeviceWentOffline", data: { lastSeenAt } };
}
