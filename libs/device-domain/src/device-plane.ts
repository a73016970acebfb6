import type { RecordedEvent } from "@statecast/events";
import type { RevisionRef } from "./revision-name.js";

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

type Data = Record<string, unknown> & { report?: ReportCursor; revision?: RevisionRef };

/** evolve(state, event) → state, pure. Unknown event types leave the state as it is. */
export function evolveDevicePlane(
  state: DevicePlaneState,
  event: Pick<RecordedEvent, "type" | "data">,
): DevicePlaneState {
  const data = event.data as Data;
  switch (event.type) {
    case "DeviceEnrolled":
      return { ...state, enrolled: true };
    case "DeviceDecommissioned":
      return { ...state, decommissioned: true };
    case "TargetAssigned":
      return {
        ...state,
        target: {
          revision: data.revision as RevisionRef,
          seq: data.seq as number,
          cancelled: false,
        },
        outcome: null,
      };
    case "TargetCancelled":
      return state.target ? { ...state, target: { ...state.target, cancelled: true } } : state;
    case "UpdateProgressReported":
      return advance(state, { bootId: data.bootId as string, seq: data.seq as number });
    case "UpdateSucceeded": {
      const revision = data.revision as RevisionRef;
      const moved = state.running && !sameRef(state.running, revision);
      return advance(
        {
          ...state,
          outcome: data.status as "DONE" | "UPDATED",
          previous: moved ? state.running : state.previous,
          running: revision,
        },
        data.report,
      );
    }
    case "UpdateRejected":
      return advance({ ...state, outcome: "WONTGO" }, data.report);
    case "UpdateFailed":
      return advance({ ...state, outcome: "ERROR" }, data.report);
    case "DeviceRolledBack":
      return advance(
        { ...state, outcome: "ROLLED_BACK", running: data.to as RevisionRef },
        data.report,
      );
    case "DeviceHealthReported":
      return advance(state, data.report);
    case "BundleInstallReported": {
      if (data.status !== "DONE" && data.status !== "UPDATED") return advance(state, data.report);
      const revision = data.revision as RevisionRef;
      const moved = state.running && !sameRef(state.running, revision);
      const previous = moved ? state.running : state.previous;
      return advance({ ...state, running: revision, previous }, data.report);
    }
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
