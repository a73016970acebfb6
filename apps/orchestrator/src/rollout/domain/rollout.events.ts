import { type EventOf, RolloutEvents, rolloutCatalog } from "@statecast/events";

// The rollout stream's events, typed from their zod schemas in libs/events (one definition each).

export type RolloutCreated = EventOf<typeof RolloutEvents.RolloutCreated>;
export type RolloutStarted = EventOf<typeof RolloutEvents.RolloutStarted>;
export type WaveStarted = EventOf<typeof RolloutEvents.WaveStarted>;
export type WaveTargetsAssigned = EventOf<typeof RolloutEvents.WaveTargetsAssigned>;
export type WaveGatePassed = EventOf<typeof RolloutEvents.WaveGatePassed>;
export type WaveGateFailed = EventOf<typeof RolloutEvents.WaveGateFailed>;
export type RolloutPaused = EventOf<typeof RolloutEvents.RolloutPaused>;
export type RolloutResumed = EventOf<typeof RolloutEvents.RolloutResumed>;
export type RolloutPromoted = EventOf<typeof RolloutEvents.RolloutPromoted>;
export type RolloutAborted = EventOf<typeof RolloutEvents.RolloutAborted>;
export type RolloutRollbackStarted = EventOf<typeof RolloutEvents.RolloutRollbackStarted>;
export type RolloutCompleted = EventOf<typeof RolloutEvents.RolloutCompleted>;
export type WaveStartDeferred = EventOf<typeof RolloutEvents.WaveStartDeferred>;
export type RolloutScheduleEnded = EventOf<typeof RolloutEvents.RolloutScheduleEnded>;
export type RolloutTargetsCancelled = EventOf<typeof RolloutEvents.RolloutTargetsCancelled>;
export type DeviceJoinedRollout = EventOf<typeof RolloutEvents.DeviceJoinedRollout>;
export type RolloutDeviceProgressed = EventOf<typeof RolloutEvents.RolloutDeviceProgressed>;
export type RolloutDeviceUpdated = EventOf<typeof RolloutEvents.RolloutDeviceUpdated>;
export type RolloutDeviceSucceeded = EventOf<typeof RolloutEvents.RolloutDeviceSucceeded>;
export type RolloutDeviceFailed = EventOf<typeof RolloutEvents.RolloutDeviceFailed>;
export type RolloutDeviceRejected = EventOf<typeof RolloutEvents.RolloutDeviceRejected>;
export type RolloutDeviceWaiting = EventOf<typeof RolloutEvents.RolloutDeviceWaiting>;
export type RolloutDeviceConsented = EventOf<typeof RolloutEvents.RolloutDeviceConsented>;
export type RolloutDeviceWentOffline = EventOf<typeof RolloutEvents.RolloutDeviceWentOffline>;
export type RolloutDeviceCameOnline = EventOf<typeof RolloutEvents.RolloutDeviceCameOnline>;

export type RolloutEvent = EventOf<(typeof rolloutCatalog)[number]>;
export type RolloutEventType = RolloutEvent["type"];

export type InFlightStatus = RolloutDeviceProgressed["data"]["status"];
export type PauseCause = RolloutPaused["data"]["cause"];
export type GateCounts = WaveGatePassed["data"]["counts"];
export type PlannedRollback = RolloutRollbackStarted["data"]["rollbackRollouts"][number];
export type WaveStartCause = WaveStartDeferred["data"]["cause"];
/** What a device waits for before it installs (issue 20). */
export type DeviceWait = Omit<RolloutDeviceWaiting["data"], "deviceId" | "at">;
export type ConsentState = RolloutDeviceConsented["data"]["answer"];

const ROLLOUT_TYPES: ReadonlySet<string> = new Set(rolloutCatalog.map((d) => d.type));

/**
 * A stored event of a rollout stream as the domain's type: a rollout stream holds only
 * rollout-catalog events, each validated against its schema when appended.
 */
export function asRolloutEvent<E extends { type: string; data: unknown }>(
  event: E,
): E & RolloutEvent {
  if (!isRolloutEvent(event)) throw new Error(`${event.type} is not a rollout event`);
  return event;
}

function isRolloutEvent<E extends { type: string; data: unknown }>(
  event: E,
): event is E & RolloutEvent {
  return ROLLOUT_TYPES.has(event.type);
}
