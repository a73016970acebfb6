import type { Decision } from "./rollout.decision.js";
import { addSeconds, SYSTEM_ACTOR } from "./rollout.decision.js";
import { getDevice } from "./rollout.device-table.js";
import type { GateVerdict } from "./rollout.gate.js";
import { evaluateGate } from "./rollout.gate.js";
import type { WaveState } from "./rollout.js";
import { abortRollout, startRollback } from "./rollout.stop.js";

/** Start wave `index` and assign targets to its members. */
export function startWave(d: Decision, index: number, now: string): void {
  d.emit({ type: "WaveStarted", data: { waveIndex: index, at: now } });
  assignPending(d, index, now);
}

/** Assign targets to the wave's members that have none yet (all of them, or joiners after a pause). */
export function assignPending(d: Decision, waveIndex: number, now: string): void {
  const state = d.started();
  const deviceIds = (state.waves[waveIndex]?.deviceIds ?? []).filter(
    (id) => getDevice(state.devices, id)?.status === "pending",
  );
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

/**
 * Run the current wave's gate until nothing more follows: a failed gate applies the policy; a
 * passed gate completes the rollout, stops at a manual gate, or starts the next wave (whose gate
 * may already hold, e.g. when all its devices are on the revision).
 */
export function settle(d: Decision, now: string): void {
  for (;;) {
    const state = d.state;
    if (state.status !== "running") return;
    const wave = state.waves[state.currentWave];
    if (wave?.status !== "running") return;
    const gate = evaluateGate(wave);
    if (gate.verdict === "pending") return;
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
