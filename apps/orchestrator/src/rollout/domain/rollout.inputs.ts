import type { ActiveRolloutClaim } from "./rollout.conflicts.js";
import type { RevisionRef, RolloutDefinition } from "./rollout.definition.js";
import type { DeviceWait, RolloutEvent } from "./rollout.events.js";
import type { FleetDevice } from "./rollout.plan.js";
import type { ValidationContext } from "./rollout.validation.js";

/** Time and identity arrive with every input: the decider never reads a clock. */
type Operator = { actor: string; reason?: string; now: string };

// Operator commands
export type CreateRollout = {
  type: "CreateRollout";
  rolloutId: string;
  definition: RolloutDefinition;
  context: ValidationContext;
  rollbackOf?: string;
} & Operator;
export type StartRollout = {
  type: "StartRollout";
  /** The devices the selector matches now, with their current revision. */
  devices: FleetDevice[];
  /** Other rollouts still holding devices: a shared device refuses the start. */
  activeRollouts: ActiveRolloutClaim[];
} & Operator;
export type PauseRollout = { type: "PauseRollout" } & Operator;
export type ResumeRollout = { type: "ResumeRollout" } & Operator;
export type PromoteRollout = { type: "PromoteRollout" } & Operator;
export type AbortRollout = { type: "AbortRollout" } & Operator;
export type RollbackRollout = { type: "RollbackRollout" } & Operator;

export type OperatorCommand =
  | CreateRollout
  | StartRollout
  | PauseRollout
  | ResumeRollout
  | PromoteRollout
  | AbortRollout
  | RollbackRollout;

// Facts from device streams (the revision is the one the fact is about)
type Fact = { deviceId: string; revision: RevisionRef; now: string };
export type TargetAcknowledged = { type: "TargetAcknowledged" } & Fact;
export type UpdateProgressReported = {
  type: "UpdateProgressReported";
  status: "QUEUED" | "DOWNLOADING" | "INPROGRESS" | "TESTING";
  /** Downloaded and waiting to install: for what, and until when (issue 20). */
  waiting?: DeviceWait;
  /** A consenting fleet's device: asked, or its app's answer (issue 20). */
  consent?: { answer: "asked" | "accept" | "later"; askAgainAt?: string };
} & Fact;
export type UpdateSucceeded = { type: "UpdateSucceeded"; status: "DONE" | "UPDATED" } & Fact;
export type UpdateFailed = { type: "UpdateFailed"; reason: string } & Fact;
export type UpdateRejected = { type: "UpdateRejected"; reason: string } & Fact;
export type DeviceRolledBack = { type: "DeviceRolledBack"; reason: string } & Fact;
/** What the agent saw go wrong with its committed revision after `DONE` (issue 14). */
export type DeviceHealthReported = {
  type: "DeviceHealthReported";
  kind:
    | "container_exited"
    | "container_restarted"
    | "status_goal_lost"
    | "agent_restarted"
    | "board_rebooted";
  part?: string;
  count: number;
} & Fact;
/** The device now runs `running`, installed by an offline bundle, not by a target (issue 14). */
export type DeviceDrifted = {
  type: "DeviceDrifted";
  deviceId: string;
  running: RevisionRef;
  now: string;
};
export type DeviceWentOffline = { type: "DeviceWentOffline"; deviceId: string; now: string };
export type DeviceCameOnline = { type: "DeviceCameOnline"; deviceId: string; now: string };
export type DeviceJoinedSelector = {
  type: "DeviceJoinedSelector";
  device: FleetDevice;
  /** The rollout already holding this device, if any: then it does not join. */
  heldBy: string | null;
  now: string;
};

export type DeviceFact =
  | TargetAcknowledged
  | UpdateProgressReported
  | UpdateSucceeded
  | UpdateFailed
  | UpdateRejected
  | DeviceRolledBack
  | DeviceHealthReported
  | DeviceDrifted
  | DeviceWentOffline
  | DeviceCameOnline
  | DeviceJoinedSelector;

// Timer events (scheduled through ScheduleTimer)
/** Device timers name their device; the schedule's (`wave_start`, `schedule_end`) have `deviceId: ""`. */
export type RolloutTimer = {
  kind: "soak" | "device_timeout" | "wave_start" | "schedule_end";
  rolloutId: string;
  deviceId: string;
};
export type SoakTimerElapsed = { type: "SoakTimerElapsed"; deviceId: string; now: string };
export type DeviceTimeoutElapsed = { type: "DeviceTimeoutElapsed"; deviceId: string; now: string };
/** A deferred wave's time came, or the schedule's end (issue 20). */
export type ScheduleTimerElapsed = {
  type: "ScheduleTimerElapsed";
  kind: "wave_start" | "schedule_end";
  now: string;
};
export type TimerElapsed = SoakTimerElapsed | DeviceTimeoutElapsed | ScheduleTimerElapsed;

export type RolloutInput = OperatorCommand | DeviceFact | TimerElapsed;

// Commands for other aggregates and the scheduler
export type AssignTarget = {
  type: "AssignTarget";
  deviceId: string;
  revision: RevisionRef;
  rolloutId: string;
  waveIndex: number;
};
export type CancelTarget = {
  type: "CancelTarget";
  deviceId: string;
  revision: RevisionRef;
  rolloutId: string;
};
export type ScheduleTimer = { type: "ScheduleTimer"; at: string; timer: RolloutTimer };
/** Create and start a new rollout (through CreateRollout + StartRollout) back to `definition.revision`. */
export type StartRollbackRollout = {
  type: "StartRollbackRollout";
  rolloutId: string;
  rollbackOf: string;
  definition: RolloutDefinition;
  actor: string;
  reason?: string;
};

export type RolloutOutputCommand =
  | AssignTarget
  | CancelTarget
  | ScheduleTimer
  | StartRollbackRollout;

export type RolloutDecision = { events: RolloutEvent[]; commands: RolloutOutputCommand[] };
