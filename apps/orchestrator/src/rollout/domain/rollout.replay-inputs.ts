import type { RevisionRef } from "./rollout.definition.js";
import type { RolloutEvent } from "./rollout.events.js";
import type { DeviceFact, OperatorCommand, RolloutInput } from "./rollout.inputs.js";

/** A recorded input: what the devices and operators did, at the instant it was recorded. */
export type RecordedInput = { at: string; input: RolloutInput };

const REPORTED = {
  queued: "QUEUED",
  downloading: "DOWNLOADING",
  installing: "INPROGRESS",
  testing: "TESTING",
} as const;

const HEALTH = {
  crashed_during_soak: "container_exited",
  status_goal_lost_during_soak: "status_goal_lost",
  rebooted_during_soak: "board_rebooted",
} as const;

/**
 * The inputs behind a recorded rollout stream: device facts (the `RolloutDevice*` events say what
 * each device reported) and operator commands. Decisions (gates, waves, system pauses, timers)
 * are left out: those are what a replay decides anew.
 */
export function recordedInputs(events: readonly RolloutEvent[]): RecordedInput[] {
  const created = events.find((e) => e.type === "RolloutCreated");
  if (created?.type !== "RolloutCreated") return [];
  const revision = created.data.definition.revision;
  const previous = new Map<string, RevisionRef | null>();
  const inputs: RecordedInput[] = [];
  for (const event of events) {
    if (event.type === "RolloutStarted")
      for (const wave of event.data.plan)
        for (const d of wave.devices) previous.set(d.deviceId, d.currentRevision);
    const input =
      operatorInput(event) ?? deviceInput(event, revision, previous.get(deviceOf(event)) ?? null);
    if (input) inputs.push({ at: event.data.at, input });
  }
  return inputs;
}

function deviceOf(event: RolloutEvent): string {
  return "deviceId" in event.data && typeof event.data.deviceId === "string"
    ? event.data.deviceId
    : "";
}

function operatorInput(event: RolloutEvent): OperatorCommand | null {
  if (!("actor" in event.data) || !event.data.actor.startsWith("operator:")) return null;
  const { actor, at: now } = event.data;
  const who = {
    actor,
    now,
    ...(event.data.reason === undefined ? {} : { reason: event.data.reason }),
  };
  switch (event.type) {
    case "RolloutPaused":
      return { type: "PauseRollout", ...who };
    case "RolloutResumed":
      return { type: "ResumeRollout", ...who };
    case "RolloutPromoted":
      return { type: "PromoteRollout", ...who };
    case "RolloutAborted":
      return { type: "AbortRollout", ...who };
    case "RolloutRollbackStarted":
      return { type: "RollbackRollout", ...who };
    default:
      return null;
  }
}

function deviceInput(
  event: RolloutEvent,
  revision: RevisionRef,
  previous: RevisionRef | null,
): DeviceFact | null {
  switch (event.type) {
    case "RolloutDeviceProgressed": {
      const { deviceId, status, at: now } = event.data;
      return { type: "UpdateProgressReported", deviceId, revision, status: REPORTED[status], now };
    }
    case "RolloutDeviceConsented": {
      const { deviceId, answer, askAgainAt, at: now } = event.data;
      if (answer === "skip")
        return { type: "UpdateRejected", deviceId, revision, reason: "consent_skipped", now };
      const consent = { answer, ...(askAgainAt ? { askAgainAt } : {}) };
      return {
        type: "UpdateProgressReported",
        deviceId,
        revision,
        status: "DOWNLOADING",
        consent,
        now,
      };
    }
    case "RolloutDeviceWaiting": {
      const { deviceId, at: now, ...waiting } = event.data;
      return {
        type: "UpdateProgressReported",
        deviceId,
        revision,
        status: "DOWNLOADING",
        waiting,
        now,
      };
    }
    case "RolloutDeviceUpdated": {
      const { deviceId, reportedStatus: status, at: now } = event.data;
      return { type: "UpdateSucceeded", deviceId, revision, status, now };
    }
    case "RolloutDeviceSucceeded": {
      // soaked / promoted are decisions; only a report with no soak is a fact
      const { deviceId, via, at: now } = event.data;
      return via === "reported"
        ? { type: "UpdateSucceeded", deviceId, revision, status: "DONE", now }
        : null;
    }
    case "RolloutDeviceRejected": {
      const { deviceId, reason, at: now } = event.data;
      return { type: "UpdateRejected", deviceId, revision, reason, now };
    }
    case "RolloutDeviceFailed":
      return failureInput(event, revision, previous);
    case "RolloutDeviceWentOffline":
      return { type: "DeviceWentOffline", deviceId: event.data.deviceId, now: event.data.at };
    case "RolloutDeviceCameOnline":
      return { type: "DeviceCameOnline", deviceId: event.data.deviceId, now: event.data.at };
    case "DeviceJoinedRollout": {
      const { deviceId, currentRevision, online, at: now } = event.data;
      const device = { deviceId, currentRevision, online };
      return { type: "DeviceJoinedSelector", device, heldBy: null, now };
    }
    default:
      return null;
  }
}

function failureInput(
  event: Extract<RolloutEvent, { type: "RolloutDeviceFailed" }>,
  revision: RevisionRef,
  previous: RevisionRef | null,
): DeviceFact | null {
  const { deviceId, reason, source, at: now } = event.data;
  switch (source) {
    case "error":
      return { type: "UpdateFailed", deviceId, revision, reason, now };
    case "rolled_back":
      return { type: "DeviceRolledBack", deviceId, revision, reason, now };
    case "health": {
      const kind = HEALTH[reason as keyof typeof HEALTH];
      return kind
        ? { type: "DeviceHealthReported", deviceId, revision, kind, count: 1, now }
        : null;
    }
    case "drift":
      return previous ? { type: "DeviceDrifted", deviceId, running: previous, now } : null;
    case "timeout":
      return null; // the replay's own device timer decides it
  }
}
