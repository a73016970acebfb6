import { IllegalStateError, ValidationError } from "@statecast/events";
import { settle, startWave } from "./rollout.advance.js";
import { describeConflicts, findConflicts } from "./rollout.conflicts.js";
import { abort, audit, pause, promote, refuse, resume, rollback } from "./rollout.controls.js";
import { assertInstant, Decision } from "./rollout.decision.js";
import { onDeviceFact } from "./rollout.device-facts.js";
import type * as In from "./rollout.inputs.js";
import type { RolloutState } from "./rollout.js";
import { planWaves } from "./rollout.plan.js";
import { scheduleEnd, scheduleEndedAt } from "./rollout.schedule.js";
import { onTimer } from "./rollout.timers.js";
import { parseDefinition, validateDefinition } from "./rollout.validation.js";

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
    case "DeviceHealthReported":
    case "DeviceDrifted":
    case "DeviceWentOffline":
    case "DeviceCameOnline":
    case "DeviceJoinedSelector":
      onDeviceFact(d, input);
      break;
    case "SoakTimerElapsed":
    case "DeviceTimeoutElapsed":
    case "ScheduleTimerElapsed":
      onTimer(d, input);
      break;
    default: {
      const unknown: never = input;
      throw new ValidationError(`unknown rollout input ${JSON.stringify(unknown)}`);
    }
  }
  return d.result();
}

function create(d: Decision, input: In.CreateRollout): void {
  if (d.state.status !== "none") refuse(d.state, "create", "rollout ids are never reused");
  const definition = parseDefinition(input.definition);
  const issues = validateDefinition(definition, input.context);
  if (issues.length > 0)
    throw new ValidationError(
      `invalid rollout definition: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`,
      { details: issues },
    );
  const { rolloutId, rollbackOf } = input;
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
  const end = scheduleEnd(state.definition);
  if (end && scheduleEndedAt(state.definition, input.now))
    throw new IllegalStateError(
      `cannot start rollout ${state.rolloutId}: its schedule ended at ${end.endAt}`,
    );
  const plan = planWaves(state.definition, input.devices);
  d.emit({ type: "RolloutStarted", data: { ...audit(input), plan } });
  if (end)
    d.send({
      type: "ScheduleTimer",
      at: end.endAt,
      timer: { kind: "schedule_end", rolloutId: state.rolloutId, deviceId: "" },
    });
  startWave(d, 0, input.now);
  settle(d, input.now);
}
