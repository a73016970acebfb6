import type { RevisionRef, RolloutDefinition, ScheduleEnd } from "./rollout.definition.js";
import type { PlannedWave } from "./rollout.plan.js";

/** Who did it: `operator:<name>` or `system:<processor>`; why is optional. */
type Audit = { actor: string; reason?: string; at: string };

export type InFlightStatus = "queued" | "downloading" | "installing" | "testing";

export type PauseCause = "operator" | "gate_failed" | "manual_gate";

export type GateCounts = {
  members: number;
  finished: number;
  succeeded: number;
  failures: number;
  lateFailures: number;
};

export type PlannedRollback = { rolloutId: string; revision: RevisionRef; deviceIds: string[] };

type Event<Type extends string, Data> = { type: Type; data: Data };

export type RolloutCreated = Event<
  "RolloutCreated",
  Audit & { rolloutId: string; definition: RolloutDefinition; rollbackOf?: string }
>;
export type RolloutStarted = Event<"RolloutStarted", Audit & { plan: PlannedWave[] }>;
export type WaveStarted = Event<"WaveStarted", { waveIndex: number; at: string }>;
export type WaveTargetsAssigned = Event<
  "WaveTargetsAssigned",
  { waveIndex: number; deviceIds: string[]; at: string }
>;
export type WaveGatePassed = Event<
  "WaveGatePassed",
  { waveIndex: number; counts: GateCounts; at: string }
>;
export type WaveGateFailed = Event<
  "WaveGateFailed",
  { waveIndex: number; counts: GateCounts; reason: string; at: string }
>;
export type RolloutPaused = Event<"RolloutPaused", Audit & { cause: PauseCause }>;
export type RolloutResumed = Event<"RolloutResumed", Audit>;
export type RolloutPromoted = Event<"RolloutPromoted", Audit & { waveIndex: number }>;
export type RolloutAborted = Event<"RolloutAborted", Audit>;
export type RolloutRollbackStarted = Event<
  "RolloutRollbackStarted",
  Audit & { rollbackRollouts: PlannedRollback[]; withoutPreviousRevision: string[] }
>;
export type RolloutCompleted = Event<"RolloutCompleted", { at: string }>;
export type WaveStartCause = "rollout_start_at" | "wave_not_before";
export type WaveStartDeferred = Event<
  "WaveStartDeferred",
  { waveIndex: number; until: string; cause: WaveStartCause; at: string }
>;
export type RolloutScheduleEnded = Event<
  "RolloutScheduleEnded",
  { endAt: string; atEnd: ScheduleEnd; at: string }
>;
export type RolloutTargetsCancelled = Event<
  "RolloutTargetsCancelled",
  { deviceIds: string[]; at: string }
>;
export type DeviceJoinedRollout = Event<
  "DeviceJoinedRollout",
  {
    deviceId: string;
    waveIndex: number;
    currentRevision: RevisionRef | null;
    online: boolean;
    at: string;
  }
>;
export type RolloutDeviceProgressed = Event<
  "RolloutDeviceProgressed",
  { deviceId: string; status: InFlightStatus; at: string }
>;
export type RolloutDeviceUpdated = Event<
  "RolloutDeviceUpdated",
  { deviceId: string; reportedStatus: "DONE" | "UPDATED"; soakUntil: string; at: string }
>;
export type RolloutDeviceSucceeded = Event<
  "RolloutDeviceSucceeded",
  { deviceId: string; via: "reported" | "soaked" | "promoted"; at: string }
>;
/** `countedInWave` is the wave whose gate the failure counts in; `late` when its own wave had closed. */
type Outcome = {
  deviceId: string;
  reason: string;
  late: boolean;
  countedInWave: number | null;
  at: string;
};
export type RolloutDeviceFailed = Event<
  "RolloutDeviceFailed",
  Outcome & { source: "error" | "rolled_back" | "timeout" | "health" | "drift" }
>;
export type RolloutDeviceRejected = Event<"RolloutDeviceRejected", Outcome>;
/** What a device waits for before it installs (issue 20). */
export type DeviceWait = {
  kind: "window" | "lock";
  name: string;
  until: string | null;
  since?: string;
};
export type RolloutDeviceWaiting = Event<
  "RolloutDeviceWaiting",
  DeviceWait & { deviceId: string; at: string }
>;
export type ConsentState = "asked" | "accept" | "later" | "skip";
export type RolloutDeviceConsented = Event<
  "RolloutDeviceConsented",
  { deviceId: string; answer: ConsentState; askAgainAt?: string; at: string }
>;
export type RolloutDeviceWentOffline = Event<
  "RolloutDeviceWentOffline",
  { deviceId: string; at: string }
>;
export type RolloutDeviceCameOnline = Event<
  "RolloutDeviceCameOnline",
  { deviceId: string; at: string }
>;

export type RolloutEvent =
  | RolloutCreated
  | RolloutStarted
  | WaveStarted
  | WaveTargetsAssigned
  | WaveGatePassed
  | WaveGateFailed
  | RolloutPaused
  | RolloutResumed
  | RolloutPromoted
  | RolloutAborted
  | RolloutRollbackStarted
  | RolloutCompleted
  | WaveStartDeferred
  | RolloutScheduleEnded
  | RolloutTargetsCancelled
  | DeviceJoinedRollout
  | RolloutDeviceProgressed
  | RolloutDeviceUpdated
  | RolloutDeviceSucceeded
  | RolloutDeviceFailed
  | RolloutDeviceRejected
  | RolloutDeviceWaiting
  | RolloutDeviceConsented
  | RolloutDeviceWentOffline
  | RolloutDeviceCameOnline;

export type RolloutEventType = RolloutEvent["type"];
