import { IllegalStateError, ValidationError } from "@statecast/events";
import { assignPending, settle, startWave } from "./rollout.advance.js";
import { describeConflicts, findConflicts } from "./rollout.conflicts.js";
import { assertInstant, Decision } from "./rollout.decision.js";
import { onDeviceFact, onTimer } from "./rollout.device-facts.js";
import { getDevice } from "./rollout.device-table.js";
import type * as In from "./rollout.inputs.js";
import type { RolloutState } from "./rollout.js";
import { planWaves } from "./rollout.plan.js";
import { abortRollout, startRollback } from "./rollout.stop.js";
import { validateDefinition } from "./rollout.validation.js";

/** The rollout process manager: one input and the current state in, events and commands out. */
export function decide(input: In.RolloutInput, state: RolloutState): In.RolloutDecision {
  assertInstant(input.now);
  const d = new Decision(state);
  switch (input.type) {
    case "CreateRollout":
      create(d, input);
      break;
    case "StartRollout":
      start(d, input);
      break;
    case "PauseRollout":
      pause(d, input);
      break;
    case "ResumeRollout":
      resume(d, input);
      break;
    case "PromoteRollout":
      promote(d, input);
      break;
    case "AbortRollout":
      abort(d, input);
      break;
    case "RollbackRollout":
      rollback(d, input);
      break;
    case "TargetAcknowledged":
    case "UpdateProgressReported":
    case "UpdateSucceeded":
    case "UpdateFailed":
    case "UpdateRejected":
    case "DeviceRolledBack":
    case "DeviceWentOffline":
    case "DeviceCameOnline":
    case "DeviceJoinedSelector":
      onDeviceFact(d, input);
      break;
    case "SoakTimerElapsed":
    case "DeviceTimeoutElapsed":
      onTimer(d, input);
      break;
    default: {
      const unknown: never = input;
      throw new ValidationError(`unknown rollout input ${JSON.stringify(unknown)}`);
    }
  }
  return d.result();
}

const audit = (input: In.OperatorCommand) => ({
  actor: input.actor,
  ...(input.reason === undefined ? {} : { reason: input.reason }),
  at: input.now,
});

function refuse(state: RolloutState, action: string, hint = ""): never {
  const id = state.status === "none" ? "" : ` ${state.rolloutId}`;
  const what =
    state.status === "none" ? "it does not exist" : `it is ${state.status.replace("_", " ")}`;
  throw new IllegalStateError(`cannot ${action} rollout${id}: ${what}${hint ? `; ${hint}` : ""}`);
}

function create(d: Decision, input: In.CreateRollout): void {
  if (d.state.status !== "none") refuse(d.state, "create", "rollout ids are never reused");
  const issues = validateDefinition(input.definition, input.context);
  if (issues.length > 0)
    throw new ValidationError(
      `invalid rollout definition: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`,
      { details: issues },
    );
  const { rolloutId, definition, rollbackOf } = input;
  d.emit({
    type: "RolloutCreated",
    data: {
      ...audit(input),
      rolloutId,
      definition,
      ...(rollbackOf === undefined ? {} : { rollbackOf }),
    },
  });
}

function start(d: Decision, input: In.StartRollout): void {
  const state = d.state;
  if (state.status !== "created") refuse(state, "start");
  if (input.devices.length === 0)
    throw new ValidationError(
      `cannot start rollout ${state.rolloutId}: its selector matches no device`,
    );
  const others = input.activeRollouts.filter((claim) => claim.rolloutId !== state.rolloutId);
  const conflicts = findConflicts(
    input.devices.map((dev) => dev.deviceId),
    others,
  );
  if (conflicts.length > 0)
    throw new IllegalStateError(
      `cannot start rollout ${state.rolloutId}: ${describeConflicts(conflicts)}`,
    );
  const plan = planWaves(state.rolloutId, state.definition, input.devices);
  d.emit({ type: "RolloutStarted", data: { ...audit(input), plan } });
  startWave(d, 0, input.now);
  settle(d, input.now);
}

function pause(d: Decision, input: In.PauseRollout): void {
  if (d.state.status !== "running") refuse(d.state, "pause");
  d.emit({ type: "RolloutPaused", data: { ...audit(input), cause: "operator" } });
}

function resume(d: Decision, input: In.ResumeRollout): void {
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

function promote(d: Decision, input: In.PromoteRollout): void {
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

function abort(d: Decision, input: In.AbortRollout): void {
  const status = d.state.status;
  if (status !== "created" && status !== "running" && status !== "paused") refuse(d.state, "abort");
  abortRollout(d, { ...input });
}

function rollback(d: Decision, input: In.RollbackRollout): void {
  const state = d.state;
  if (state.status === "created") refuse(state, "roll back", "no device was updated");
  if (state.status === "none" || state.status === "rolled_back") refuse(state, "roll back");
  if (state.startedAt === null)
    refuse(state, "roll back", "it never started, no device was updated");
  startRollback(d, { ...input });
}
