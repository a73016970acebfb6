import { IllegalStateError } from "@statecast/events";
import { assignPending, settle, startWave } from "./rollout.advance.js";
import type { Decision } from "./rollout.decision.js";
import { getDevice } from "./rollout.device-table.js";
import type * as In from "./rollout.inputs.js";
import type { RolloutState } from "./rollout.js";
import { abortRollout, startRollback } from "./rollout.stop.js";

export const audit = (input: In.OperatorCommand) => ({
  actor: input.actor,
  ...(input.reason === undefined ? {} : { reason: input.reason }),
  at: input.now,
});

export function refuse(state: RolloutState, action: string, hint = ""): never {
  const id = state.status === "none" ? "" : ` ${state.rolloutId}`;
  const what =
    state.status === "none" ? "it does not exist" : `it is ${state.status.replace("_", " ")}`;
  throw new IllegalStateError(`cannot ${action} rollout${id}: ${what}${hint ? `; ${hint}` : ""}`);
}

export function pause(d: Decision, input: In.PauseRollout): void {
  if (d.state.status !== "running") refuse(d.state, "pause");
  d.emit({ type: "RolloutPaused", data: { ...audit(input), cause: "operator" } });
}

export function resume(d: Decision, input: In.ResumeRollout): void {
  const state = d.state;
  if (state.status !== "paused") refuse(state, "resume");
  if (state.cause === "manual_gate")
    refuse(
      state,
      "resume",
      `wave ${state.currentWave} passed and waits at a manual gate: promote it`,
    );
  d.emit({ type: "RolloutResumed", data: audit(input) });
  const next = state.currentWave + 1;
  if (state.cause === "operator") assignPending(d, state.currentWave, input.now);
  else if (next < state.waves.length) startWave(d, next, input.now);
  else d.emit({ type: "RolloutCompleted", data: { at: input.now } });
  settle(d, input.now);
}

export function promote(d: Decision, input: In.PromoteRollout): void {
  const state = d.state;
  if (state.status === "paused" && state.cause === "manual_gate") {
    const next = state.currentWave + 1;
    d.emit({ type: "RolloutPromoted", data: { ...audit(input), waveIndex: next } });
    startWave(d, next, input.now);
    settle(d, input.now);
    return;
  }
  if (state.status === "paused")
    refuse(
      state,
      "promote",
      state.cause === "operator"
        ? "resume it first"
        : "its gate failed: resume to override it, or roll back",
    );
  if (state.status !== "running") refuse(state, "promote");
  const wave = state.waves[state.currentWave];
  const soaking = (wave?.deviceIds ?? []).filter(
    (id) => getDevice(state.devices, id)?.status === "soaking",
  );
  if (soaking.length === 0)
    refuse(
      state,
      "promote",
      `no device of wave ${state.currentWave} is soaking and no manual gate is waiting`,
    );
  d.emit({ type: "RolloutPromoted", data: { ...audit(input), waveIndex: state.currentWave } });
  for (const deviceId of soaking)
    d.emit({ type: "RolloutDeviceSucceeded", data: { deviceId, via: "promoted", at: input.now } });
  settle(d, input.now);
}

export function abort(d: Decision, input: In.AbortRollout): void {
  const status = d.state.status;
  if (status !== "created" && status !== "running" && status !== "paused") refuse(d.state, "abort");
  abortRollout(d, { ...input });
}

export function rollback(d: Decision, input: In.RollbackRollout): void {
  const state = d.state;
  if (state.status === "created") refuse(state, "roll back", "no device was updated");
  if (state.status === "none" || state.status === "rolled_back") refuse(state, "roll back");
  if (state.startedAt === null)
    refuse(state, "roll back", "it never started, no device was updated");
  startRollback(d, { ...input });
}
