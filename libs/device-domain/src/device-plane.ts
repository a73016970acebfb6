import type { RevisionRef } from "@statecast/contract";
import {
  DeviceBundleEvents,
  DeviceEvents,
  DeviceHealthEvents,
  isEvent,
  type RecordedEvent,
} from "@statecast/events";

/** The last report applied to the device stream: reports at or below it change nothing. */
export interface ReportCursor {
  bootId: string;
  seq: number;
}

export type Outcome = "DONE" | "UPDATED" | "WONTGO" | "ERROR" | "ROLLED_BACK";

/** What the device plane needs to know about one device, folded from its stream. */
export interface DevicePlaneState {
  enrolled: boolean;
  decommissioned: boolean;
  target: { revision: RevisionRef; seq: number; cancelled: boolean } | null;
  /** Final outcome already recorded for the current target. */
  outcome: Outcome | null;
  /** Last revision the device reported healthy, and the one before it. */
  running: RevisionRef | null;
  previous: RevisionRef | null;
  cursor: ReportCursor | null;
  /** Boot ids seen, oldest first (bounded): a report from an older boot is stale. */
  boots: string[];
  online: boolean;
}

export const MAX_REMEMBERED_BOOTS = 32;

export function initialDevicePlane(): DevicePlaneState {
  return {
    enrolled: false,
    decommissioned: false,
    target: null,
    outcome: null,
    running: null,
    previous: null,
    cursor: null,
    boots: [],
    online: false,
  };
}

function advance(state: DevicePlaneState, cursor: ReportCursor | undefined): DevicePlaneState {
  if (!cursor) return state;
  const boots = state.boots.includes(cursor.bootId)
    ? state.boots
    : [...state.boots, cursor.bootId].slice(-MAX_REMEMBERED_BOOTS);
  return { ...state, cursor: { bootId: cursor.bootId, seq: cursor.seq }, boots };
}

/** evolve(state, event) → state, pure. Unknown event types leave the state as it is. */
export function evolveDevicePlane(
  state: DevicePlaneState,
  event: Pick<RecordedEvent, "type" | "data">,
): DevicePlaneState {
  const { DeviceRolledBack, TargetAssigned, UpdateFailed, UpdateProgressReported } = DeviceEvents;
  const { UpdateRejected, UpdateSucceeded } = DeviceEvents;
  if (isEvent(event, TargetAssigned)) {
    const { revision, seq } = event.data;
    return { ...state, target: { revision, seq, cancelled: false }, outcome: null };
  }
  if (isEvent(event, UpdateProgressReported))
    return advance(state, { bootId: event.data.bootId, seq: event.data.seq });
  if (isEvent(event, UpdateSucceeded)) {
    const { revision, status, report } = event.data;
    const moved = state.running && !sameRef(state.running, revision);
    return advance(
      {
        ...state,
        outcome: status,
        previous: moved ? state.running : state.previous,
        running: revision,
      },
      report,
    );
  }
  if (isEvent(event, UpdateRejected))
    return advance({ ...state, outcome: "WONTGO" }, event.data.report);
  if (isEvent(event, UpdateFailed))
    return advance({ ...state, outcome: "ERROR" }, event.data.report);
  if (isEvent(event, DeviceRolledBack)) {
    const rolledBack = { ...state, outcome: "ROLLED_BACK" as const, running: event.data.to };
    return advance(rolledBack, event.data.report);
  }
  if (isEvent(event, DeviceHealthEvents.DeviceHealthReported))
    return advance(state, event.data.report);
  if (isEvent(event, DeviceBundleEvents.BundleInstallReported)) {
    const { revision, status, report } = event.data;
    if (status !== "DONE" && status !== "UPDATED") return advance(state, report);
    const moved = state.running && !sameRef(state.running, revision);
    const previous = moved ? state.running : state.previous;
    return advance({ ...state, running: revision, previous }, report);
  }
  switch (event.type) {
    case "DeviceEnrolled":
      return { ...state, enrolled: true };
    case "DeviceDecommissioned":
      return { ...state, decommissioned: true };
    case "TargetCancelled":
      return state.target ? { ...state, target: { ...state.target, cancelled: true } } : state;
    case "DeviceCameOnline":
      return { ...state, online: true };
    case "DeviceWentOffline":
      return { ...state, online: false };
    default:
      return state;
  }
}

function sameRef(a: RevisionRef, b: RevisionRef): boolean {
  return a.fleet === b.fleet && a.number === b.number;
}
