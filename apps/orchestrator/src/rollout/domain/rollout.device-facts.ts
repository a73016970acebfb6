import { settle } from "./rollout.advance.js";
import type { Decision } from "./rollout.decision.js";
import { addSeconds } from "./rollout.decision.js";
import { sameRevision } from "./rollout.definition.js";
import type { DeviceRolloutStatus, RolloutDevice } from "./rollout.device-table.js";
import { getDevice } from "./rollout.device-table.js";
import type { InFlightStatus } from "./rollout.events.js";
import type * as In from "./rollout.inputs.js";
import { joinRollout } from "./rollout.joiners.js";
import type { StartedRolloutState } from "./rollout.js";
import { IN_FLIGHT, isStarted } from "./rollout.js";

/** The reason of the WONTGO of a device whose app skipped the update (issue 20). */
const CONSENT_SKIPPED = "consent_skipped";

const NOT_UPDATED_YET: ReadonlySet<DeviceRolloutStatus> = new Set([
  ...IN_FLIGHT,
  "pending",
  "soaking",
]);
const REPORTED: Record<In.UpdateProgressReported["status"], InFlightStatus> = {
  QUEUED: "queued",
  DOWNLOADING: "downloading",
  INPROGRESS: "installing",
  TESTING: "testing",
};

/**
 * Device facts change the rollout only when they are news: facts about another revision, about
 * devices outside the rollout, duplicates and stale reports decide nothing (no events).
 */
export function onDeviceFact(d: Decision, fact: In.DeviceFact): void {
  if (fact.type === "DeviceJoinedSelector") {
    joinRollout(d, fact);
    return;
  }
  const state = d.state;
  if (!isStarted(state)) return;
  const device = getDevice(state.devices, fact.deviceId);
  if (!device) return;
  const { deviceId, now: at } = fact;
  if ("revision" in fact && !sameRevision(fact.revision, state.definition.revision)) return;
  const is = (...statuses: DeviceRolloutStatus[]) =>
    IN_FLIGHT.has(device.status) || statuses.includes(device.status);
  switch (fact.type) {
    case "TargetAcknowledged":
      if (device.status === "assigned")
        d.emit({ type: "RolloutDeviceProgressed", data: { deviceId, status: "queued", at } });
      return;
    case "UpdateProgressReported": {
      const status = REPORTED[fact.status];
      if (!IN_FLIGHT.has(device.status)) return;
      if (device.status !== status)
        d.emit({ type: "RolloutDeviceProgressed", data: { deviceId, status, at } });
      const consent = fact.consent;
      const known = getDevice(d.started().devices, deviceId)?.consent;
      if (consent && (known?.answer !== consent.answer || known.askAgainAt !== consent.askAgainAt))
        d.emit({ type: "RolloutDeviceConsented", data: { deviceId, ...consent, at } });
      const waiting = fact.waiting;
      if (waiting && !sameWait(d.started(), deviceId, waiting))
        d.emit({ type: "RolloutDeviceWaiting", data: { deviceId, ...waiting, at } });
      return;
    }
    case "UpdateSucceeded":
      if (is("cancelled")) succeed(d, state, device, fact);
      break;
    case "UpdateFailed":
      if (is("soaking", "succeeded", "cancelled")) fail(d, state, device, fact.reason, "error", at);
      break;
    case "DeviceRolledBack":
      if (is("soaking", "succeeded")) fail(d, state, device, fact.reason, "rolled_back", at);
      break;
    case "DeviceHealthReported": {
      const reason = soakFailure(fact.kind);
      if (device.status === "soaking" && reason) fail(d, state, device, reason, "health", at);
      break;
    }
    case "DeviceDrifted":
      // Shown, never fought: the device leaves the count of devices on the revision.
      if (!sameRevision(fact.running, state.definition.revision) && is("soaking", "succeeded"))
        fail(d, state, device, "drifted", "drift", at);
      break;
    case "UpdateRejected":
      if (fact.reason === CONSENT_SKIPPED && IN_FLIGHT.has(device.status)) {
        // Declined by the device's app: counted, and out of the wave; not a failure.
        d.emit({ type: "RolloutDeviceConsented", data: { deviceId, answer: "skip", at } });
        d.emit({ type: "RolloutTargetsCancelled", data: { deviceIds: [deviceId], at } });
      } else if (is("cancelled"))
        d.emit({ type: "RolloutDeviceRejected", data: outcome(state, device, fact.reason, at) });
      break;
    case "DeviceWentOffline":
    case "DeviceCameOnline": {
      const online = fact.type === "DeviceCameOnline";
      if (device.online !== online && NOT_UPDATED_YET.has(device.status))
        d.emit({
          type: online ? "RolloutDeviceCameOnline" : "RolloutDeviceWentOffline",
          data: { deviceId, at },
        });
      return;
    }
  }
  settle(d, at);
}

function succeed(
  d: Decision,
  state: StartedRolloutState,
  device: RolloutDevice,
  fact: In.UpdateSucceeded,
): void {
  const { deviceId, now: at } = fact;
  const soakSeconds = state.waves[device.waveIndex]?.spec.soakSeconds ?? 0;
  if (soakSeconds === 0) {
    d.emit({ type: "RolloutDeviceSucceeded", data: { deviceId, via: "reported", at } });
    return;
  }
  const soakUntil = addSeconds(at, soakSeconds);
  d.emit({
    type: "RolloutDeviceUpdated",
    data: { deviceId, reportedStatus: fact.status, soakUntil, at },
  });
  d.send({
    type: "ScheduleTimer",
    at: soakUntil,
    timer: { kind: "soak", rolloutId: state.rolloutId, deviceId },
  });
}

function fail(
  d: Decision,
  state: StartedRolloutState,
  device: RolloutDevice,
  reason: string,
  source: "error" | "rolled_back" | "health" | "drift",
  at: string,
): void {
  d.emit({ type: "RolloutDeviceFailed", data: { ...outcome(state, device, reason, at), source } });
}

/**
 * Health facts that fail a device still in its soak (DESIGN §6: it has not succeeded yet). An
 * agent restart alone is not the app failing: the containers keep running, so it is not one.
 */
function soakFailure(kind: In.DeviceHealthReported["kind"]): string | null {
  switch (kind) {
    case "container_exited":
    case "container_restarted":
      return "crashed_during_soak";
    case "status_goal_lost":
      return "status_goal_lost_during_soak";
    case "board_rebooted":
      return "rebooted_during_soak";
    case "agent_restarted":
      return null;
  }
}

/** A failure after its own wave closed is late: it counts against the wave whose gate is next. */
export function outcome(
  state: StartedRolloutState,
  device: RolloutDevice,
  reason: string,
  at: string,
) {
  const late = state.waves[device.waveIndex]?.status !== "running";
  return {
    deviceId: device.deviceId,
    reason,
    late,
    countedInWave: late ? nextGate(state) : device.waveIndex,
    at,
  };
}

function nextGate(state: StartedRolloutState): number | null {
  if (state.status !== "running" && state.status !== "paused") return null;
  if (state.waves[state.currentWave]?.status === "running") return state.currentWave;
  return state.currentWave + 1 < state.waves.length ? state.currentWave + 1 : null;
}

function sameWait(
  state: StartedRolloutState,
  deviceId: string,
  wait: In.UpdateProgressReported["waiting"],
) {
  const now = getDevice(state.devices, deviceId)?.waiting;
  return (
    now?.kind === wait?.kind &&
    now?.name === wait?.name &&
    now?.until === wait?.until &&
    now?.since === wait?.since
  );
}
