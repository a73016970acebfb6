import type { Decision } from "./rollout.decision.js";
import { addSeconds, SYSTEM_ACTOR } from "./rollout.decision.js";
import { getDevice } from "./rollout.device-table.js";
import type { GateVerdict } from "./rollout.gate.js";
import { evaluateGate } from "./rollout.gate.js";
import type { StartedRolloutState, WaveState } from "./rollout.js";
import { inFlightCount } from "./rollout.js";
import { scheduleEnd, scheduleEndedAt, waveStartBlock } from "./rollout.schedule.js";
import { abortRollout, startRollback } from "./rollout.stop.js";

/**
 * Start wave `index` and assign targets to its members, or, when the schedule holds it back,
 * defer it (`WaveStartDeferred`) with a timer for when it may start (issue 20).
 */
export function startWave(d: Decision, index: number, now: string): void {
  const state = d.started();
  const block = waveStartBlock(state.definition, index, now);
  if (block) {
    d.emit({ type: "WaveStartDeferred", data: { waveIndex: index, ...block, at: now } });
    d.send({
      type: "ScheduleTimer",
      at: block.until,
      timer: { kind: "wave_start", rolloutId: state.rolloutId, deviceId: "" },
    });
    return;
  }
  d.emit({ type: "WaveStarted", data: { waveIndex: index, at: now } });
  assignPending(d, index, now);
}

/** The schedule's end came: record it, then stop assigning (and maybe cancel unstarted targets). */
export function endSchedule(d: Decision, now: string): void {
  const state = d.state;
  if (state.status !== "running" && state.status !== "paused") return;
  const end = scheduleEnd(state.definition);
  if (!end) return;
  d.emit({ type: "RolloutScheduleEnded", data: { ...end, at: now } });
  const who = { actor: SYSTEM_ACTOR, now };
  if (end.atEnd === "cancel_pending")
    abortRollout(d, {
      ...who,
      reason: `schedule ended at ${end.endAt}: unstarted targets cancelled`,
    });
  else
    d.emit({
      type: "RolloutAborted",
      data: {
        actor: SYSTEM_ACTOR,
        reason: `schedule ended at ${end.endAt}: nothing more is assigned`,
        at: now,
      },
    });
}

/**
 * Assign targets to the wave's members that have none yet (all of them, or joiners after a
 * pause); in a paced rollout (`maxInFlight`) only as many as there are free slots, in the wave's
 * order, the rest when devices finish (`settle` tops the wave up).
 */
export function assignPending(d: Decision, waveIndex: number, now: string): void {
  const state = d.started();
  const wave = state.waves[waveIndex];
  if (wave?.status !== "running" || wave.counts.pending === 0) return; // deferred: at its start
  const deviceIds = pendingMembers(state, wave, freeSlots(state));
  if (deviceIds.length === 0) return;
  d.emit({ type: "WaveTargetsAssigned", data: { waveIndex, deviceIds, at: now } });
  const { rolloutId, definition } = state;
  const timeout = definition.deviceTimeoutSeconds;
  for (const deviceId of deviceIds) {
    d.send({ type: "AssignTarget", deviceId, revision: definition.revision, rolloutId, waveIndex });
    if (timeout !== undefined)
      d.send({
        type: "ScheduleTimer",
        at: addSeconds(now, timeout),
        timer: { kind: "device_timeout", rolloutId, deviceId },
      });
  }
}

/** Slots a paced rollout has free: `maxInFlight` less its devices assigned and not finished. */
export function freeSlots(state: StartedRolloutState): number {
  const max = state.definition.maxInFlight;
  if (max === undefined) return Number.POSITIVE_INFINITY;
  return Math.max(0, max - inFlightCount(state.waves));
}

/** Up to `count` of the wave's members still pending, in the wave's order. */
function pendingMembers(state: StartedRolloutState, wave: WaveState, count: number): string[] {
  const found: string[] = [];
  for (const id of wave.deviceIds) {
    if (found.length >= count || found.length >= wave.counts.pending) break;
    if (getDevice(state.devices, id)?.status === "pending") found.push(id);
  }
  return found;
}

/**
 * Run the current wave's gate until nothing more follows: a failed gate applies the policy; a
 * passed gate completes the rollout, stops at a manual gate, or starts the next wave (whose gate
 * may already hold, e.g. when all its devices are on the revision).
 */
export function settle(d: Decision, now: string): void {
  for (;;) {
    const state = d.state;
    if (state.status !== "running" && state.status !== "paused") return;
    if (scheduleEndedAt(state.definition, now)) {
      endSchedule(d, now);
      return;
    }
    if (state.status !== "running") return;
    const wave = state.waves[state.currentWave];
    if (wave?.status === "pending" && wave.deferredUntil !== null) {
      if (Date.parse(now) < Date.parse(wave.deferredUntil)) return;
      d.emit({ type: "WaveStarted", data: { waveIndex: wave.index, at: now } });
      assignPending(d, wave.index, now);
      continue;
    }
    if (wave?.status !== "running") return;
    const paced = state.definition.maxInFlight !== undefined;
    if (paced) assignPending(d, wave.index, now);
    // Topped up, the wave's counts moved: the gate reads them as they are now.
    const current = d.started().waves[wave.index] ?? wave;
    const gate = evaluateGate(current);
    if (gate.verdict === "pending") return;
    // Paced, a wave passes only once every member has been assigned: the next wave's devices do
    // not overtake it, and a last wave cannot complete the rollout with members never assigned.
    if (gate.verdict === "passed" && paced && current.counts.pending > 0) return;
    if (gate.verdict === "failed") {
      failGate(d, wave, gate, now);
      return;
    }
    d.emit({
      type: "WaveGatePassed",
      data: { waveIndex: wave.index, counts: gate.counts, at: now },
    });
    if (wave.index === state.waves.length - 1) {
      d.emit({ type: "RolloutCompleted", data: { at: now } });
      return;
    }
    if (state.definition.policy.onSuccess === "pause") {
      const reason = `wave ${wave.index} passed; promote to start wave ${wave.index + 1}`;
      d.emit({
        type: "RolloutPaused",
        data: { actor: SYSTEM_ACTOR, reason, cause: "manual_gate", at: now },
      });
      return;
    }
    startWave(d, wave.index + 1, now);
  }
}

function failGate(
  d: Decision,
  wave: WaveState,
  gate: GateVerdict & { verdict: "failed" },
  now: string,
): void {
  const { reason, counts } = gate;
  d.emit({ type: "WaveGateFailed", data: { waveIndex: wave.index, counts, reason, at: now } });
  const why = `wave ${wave.index} gate failed: ${reason}`;
  switch (d.started().definition.policy.onFailure) {
    case "pause":
      d.emit({
        type: "RolloutPaused",
        data: { actor: SYSTEM_ACTOR, reason: why, cause: "gate_failed", at: now },
      });
      return;
    case "abort":
      abortRollout(d, { actor: SYSTEM_ACTOR, reason: why, now });
      return;
    case "rollback":
      startRollback(d, { actor: SYSTEM_ACTOR, reason: why, now });
      return;
  }
}
