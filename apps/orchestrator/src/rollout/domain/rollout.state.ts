import type { RolloutDefinition, WaveSpec } from "./rollout.definition.js";
import type { DeviceRolloutStatus, DeviceTable } from "./rollout.device-table.js";
import type { PauseCause, PlannedRollback, WaveStartCause } from "./rollout.events.js";

export type WaveStatus = "pending" | "running" | "passed" | "failed";

export type StatusCounts = Record<DeviceRolloutStatus, number>;

export type WaveState = {
  index: number;
  spec: WaveSpec;
  deviceIds: string[];
  status: WaveStatus;
  startedAt: string | null;
  closedAt: string | null;
  counts: StatusCounts;
  /** Failures of devices from already closed waves, counted against this wave's gate. */
  lateFailures: number;
  /** Set while the wave waits for the schedule (`WaveStartDeferred`): it starts then. */
  deferredUntil: string | null;
  deferredBy: WaveStartCause | null;
};

export type Identity = {
  rolloutId: string;
  definition: RolloutDefinition;
  createdAt: string;
  rollbackOf: string | null;
};

/** Everything a started rollout knows; `currentWave` is the last wave that was started. */
export type Progress = Identity & {
  startedAt: string;
  waves: WaveState[];
  currentWave: number;
  devices: DeviceTable;
};

export type RolloutState =
  | { status: "none" }
  | (Identity & { status: "created" })
  | (Progress & { status: "running" })
  | (Progress & { status: "paused"; cause: PauseCause; pausedAt: string })
  | (Omit<Progress, "startedAt"> & {
      status: "aborted";
      startedAt: string | null;
      abortedAt: string;
    })
  | (Progress & { status: "completed"; completedAt: string })
  | (Progress & {
      status: "rolled_back";
      rolledBackAt: string;
      rollbackRollouts: PlannedRollback[];
    });

export type RolloutStatus = RolloutState["status"];
export type StartedRolloutState = Exclude<RolloutState, { status: "none" | "created" }>;

export const initialState = (): RolloutState => ({ status: "none" });

/** Assigned and not finished: what holds one of a paced rollout's `maxInFlight` slots. */
export const IN_FLIGHT: ReadonlySet<DeviceRolloutStatus> = new Set([
  "assigned",
  "queued",
  "downloading",
  "installing",
  "testing",
]);

/** The rollout's devices assigned and not yet finished (from the per-wave counts, no scan). */
export function inFlightCount(waves: readonly { counts: StatusCounts }[]): number {
  let busy = 0;
  for (const wave of waves) for (const status of IN_FLIGHT) busy += wave.counts[status];
  return busy;
}

export function emptyCounts(): StatusCounts {
  return {
    pending: 0,
    already_on_revision: 0,
    assigned: 0,
    queued: 0,
    downloading: 0,
    installing: 0,
    testing: 0,
    soaking: 0,
    succeeded: 0,
    failed: 0,
    rejected: 0,
    cancelled: 0,
  };
}

export function isStarted(state: RolloutState): state is StartedRolloutState {
  return state.status !== "none" && state.status !== "created";
}
