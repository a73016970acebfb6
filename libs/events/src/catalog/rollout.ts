import { rolloutDefinition } from "@statecast/contract/http";
import { z } from "zod";
import { defineEvent } from "../registry.js";
import { failureReason, humanMessage, isoInstant, revisionRef } from "./common.js";

// Schemas of the rollout stream (`rollout:<id>`). The process manager that emits them lives in
// apps/orchestrator/src/rollout/domain; its unit tests validate every event it produces here.

const id = z.string().min(1).max(128);
const waveIndex = z.int().nonnegative();
const count = z.int().nonnegative();
const deviceIds = z.array(id);
const audit = {
  actor: z.string().min(1).max(256),
  reason: humanMessage.optional(),
  at: isoInstant,
};

/** The rollout definition is the HTTP contract's: the one the API takes is the one recorded. */
export { rolloutDefinition };

const plannedDevice = z.strictObject({
  deviceId: id,
  currentRevision: revisionRef.nullable(),
  online: z.boolean(),
  alreadyOnRevision: z.boolean(),
});

const gateCounts = z.strictObject({
  members: count,
  finished: count,
  succeeded: count,
  failures: count,
  lateFailures: count,
});

const outcome = {
  deviceId: id,
  reason: failureReason,
  late: z.boolean(),
  countedInWave: waveIndex.nullable(),
  at: isoInstant,
};

export const RolloutCreated = defineEvent(
  "RolloutCreated",
  1,
  z.strictObject({
    ...audit,
    rolloutId: id,
    definition: rolloutDefinition,
    rollbackOf: id.optional(),
  }),
);
export const RolloutStarted = defineEvent(
  "RolloutStarted",
  1,
  z.strictObject({
    ...audit,
    plan: z.array(z.strictObject({ index: waveIndex, devices: z.array(plannedDevice) })),
  }),
);
export const WaveStarted = defineEvent(
  "WaveStarted",
  1,
  z.strictObject({ waveIndex, at: isoInstant }),
);
export const WaveTargetsAssigned = defineEvent(
  "WaveTargetsAssigned",
  1,
  z.strictObject({ waveIndex, deviceIds, at: isoInstant }),
);
export const WaveGatePassed = defineEvent(
  "WaveGatePassed",
  1,
  z.strictObject({ waveIndex, counts: gateCounts, at: isoInstant }),
);
export const WaveGateFailed = defineEvent(
  "WaveGateFailed",
  1,
  z.strictObject({ waveIndex, counts: gateCounts, reason: humanMessage, at: isoInstant }),
);
export const RolloutPaused = defineEvent(
  "RolloutPaused",
  1,
  z.strictObject({ ...audit, cause: z.enum(["operator", "gate_failed", "manual_gate"]) }),
);
export const RolloutResumed = defineEvent("RolloutResumed", 1, z.strictObject(audit));
export const RolloutPromoted = defineEvent(
  "RolloutPromoted",
  1,
  z.strictObject({ ...audit, waveIndex }),
);
export const RolloutAborted = defineEvent("RolloutAborted", 1, z.strictObject(audit));
export const RolloutRollbackStarted = defineEvent(
  "RolloutRollbackStarted",
  1,
  z.strictObject({
    ...audit,
    rollbackRollouts: z.array(z.strictObject({ rolloutId: id, revision: revisionRef, deviceIds })),
    withoutPreviousRevision: deviceIds,
  }),
);
/** A wave that may not start yet: the rollout's `startAt` or the wave's `notBefore` is ahead. */
export const WaveStartDeferred = defineEvent(
  "WaveStartDeferred",
  1,
  z.strictObject({
    waveIndex,
    until: isoInstant,
    cause: z.enum(["rollout_start_at", "wave_not_before"]),
    at: isoInstant,
  }),
);
/** The schedule's `endAt` came: what the rollout did about it follows (abort, cancellations). */
export const RolloutScheduleEnded = defineEvent(
  "RolloutScheduleEnded",
  1,
  z.strictObject({
    endAt: isoInstant,
    atEnd: z.enum(["stop_assigning", "cancel_pending"]),
    at: isoInstant,
  }),
);
export const RolloutCompleted = defineEvent(
  "RolloutCompleted",
  1,
  z.strictObject({ at: isoInstant }),
);
export const RolloutTargetsCancelled = defineEvent(
  "RolloutTargetsCancelled",
  1,
  z.strictObject({ deviceIds, at: isoInstant }),
);
export const DeviceJoinedRollout = defineEvent(
  "DeviceJoinedRollout",
  1,
  z.strictObject({
    deviceId: id,
    waveIndex,
    currentRevision: revisionRef.nullable(),
    online: z.boolean(),
    at: isoInstant,
  }),
);
export const RolloutDeviceProgressed = defineEvent(
  "RolloutDeviceProgressed",
  1,
  z.strictObject({
    deviceId: id,
    status: z.enum(["queued", "downloading", "installing", "testing"]),
    at: isoInstant,
  }),
);
export const RolloutDeviceUpdated = defineEvent(
  "RolloutDeviceUpdated",
  1,
  z.strictObject({
    deviceId: id,
    reportedStatus: z.enum(["DONE", "UPDATED"]),
    soakUntil: isoInstant,
    at: isoInstant,
  }),
);
export const RolloutDeviceSucceeded = defineEvent(
  "RolloutDeviceSucceeded",
  1,
  z.strictObject({ deviceId: id, via: z.enum(["reported", "soaked", "promoted"]), at: isoInstant }),
);
export const RolloutDeviceFailed = defineEvent(
  "RolloutDeviceFailed",
  1,
  z.strictObject({
    ...outcome,
    source: z.enum(["error", "rolled_back", "timeout", "health", "drift"]),
  }),
);
export const RolloutDeviceRejected = defineEvent(
  "RolloutDeviceRejected",
  1,
  z.strictObject(outcome),
);
/**
 * The device has its objects and waits to install (issue 20): outside its maintenance window
 * (`name` = the window, `until` its opening) or held by an app's update lock (`name` =
 * `<container>/<holder>`, `since` = when it was taken).
 */
export const RolloutDeviceWaiting = defineEvent(
  "RolloutDeviceWaiting",
  1,
  z.strictObject({
    deviceId: id,
    kind: z.enum(["window", "lock"]),
    name: z.string().min(1).max(160),
    until: isoInstant.nullable(),
    since: isoInstant.optional(),
    at: isoInstant,
  }),
);
/** A consenting fleet's device (issue 20): asked, or its app's answer. A skip leaves the wave. */
export const RolloutDeviceConsented = defineEvent(
  "RolloutDeviceConsented",
  1,
  z.strictObject({
    deviceId: id,
    answer: z.enum(["asked", "accept", "later", "skip"]),
    askAgainAt: isoInstant.optional(),
    at: isoInstant,
  }),
);
export const RolloutDeviceWentOffline = defineEvent(
  "RolloutDeviceWentOffline",
  1,
  z.strictObject({ deviceId: id, at: isoInstant }),
);
export const RolloutDeviceCameOnline = defineEvent(
  "RolloutDeviceCameOnline",
  1,
  z.strictObject({ deviceId: id, at: isoInstant }),
);

export const rolloutCatalog = [
  RolloutCreated,
  RolloutStarted,
  WaveStarted,
  WaveTargetsAssigned,
  WaveGatePassed,
  WaveGateFailed,
  RolloutPaused,
  RolloutResumed,
  RolloutPromoted,
  RolloutAborted,
  RolloutRollbackStarted,
  RolloutCompleted,
  WaveStartDeferred,
  RolloutScheduleEnded,
  RolloutTargetsCancelled,
  DeviceJoinedRollout,
  RolloutDeviceProgressed,
  RolloutDeviceUpdated,
  RolloutDeviceSucceeded,
  RolloutDeviceFailed,
  RolloutDeviceRejected,
  RolloutDeviceWaiting,
  RolloutDeviceConsented,
  RolloutDeviceWentOffline,
  RolloutDeviceCameOnline,
] as const;
