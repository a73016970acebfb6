import { IllegalStateError, StatecastError, ValidationError } from "@statecast/events";
import { decide } from "./rollout.decider.js";
import type { RolloutDefinition, RolloutPolicy, WaveSpec } from "./rollout.definition.js";
import type { RolloutEvent } from "./rollout.events.js";
import type { RolloutInput, RolloutOutputCommand, RolloutTimer } from "./rollout.inputs.js";
import type { RolloutState } from "./rollout.js";
import { evolve, initialState, isStarted } from "./rollout.js";
import { recordedInputs } from "./rollout.replay-inputs.js";
import { timerInput } from "./rollout.timers.js";
import { parseDefinition } from "./rollout.validation.js";

/** Another gate policy to try on a recorded rollout: thresholds, min sample, soak, wave sizes. */
export type ReplayPolicy = {
  /** Merged by index into the recorded waves; waves past the recorded ones must be complete. */
  waves?: Partial<WaveSpec>[];
  policy?: Partial<RolloutPolicy>;
  deviceTimeoutSeconds?: number;
};

export type ReplayDecision = { at: string; type: string; summary: string };

export type ReplayOutcome = {
  status: RolloutState["status"];
  decisions: ReplayDecision[];
  waves: { index: number; status: string; deviceIds: number }[];
};

export type ReplayResult = {
  rolloutId: string;
  definition: RolloutDefinition;
  recorded: ReplayOutcome;
  replayed: ReplayOutcome;
  /** Recorded device facts and operator commands fed to the replay. */
  inputs: number;
  /** Inputs the replay refused (an operator command that no longer fits), with why. */
  refused: { at: string; input: string; message: string }[];
  /** Timers fire up to here: `now`, or the last recorded event if later. */
  horizon: string;
};

/**
 * Runs the rollout process manager again over a recorded rollout stream with another policy.
 * Pure: the recorded events in, what the rollout would have decided and when out. Device facts
 * and operator commands are replayed at their recorded instants; gates, waves and timers are
 * decided anew, soaks ending up to `now`. A device the real rollout never assigned has no
 * history to give: it waits, and its silence never times out.
 */
export function replayRollout(
  events: readonly RolloutEvent[],
  policy: ReplayPolicy,
  now: string,
): ReplayResult {
  const created = events.find((e) => e.type === "RolloutCreated");
  const started = events.find((e) => e.type === "RolloutStarted");
  if (created?.type !== "RolloutCreated") throw new IllegalStateError("no rollout to replay");
  if (started?.type !== "RolloutStarted")
    throw new IllegalStateError(
      `cannot replay rollout ${created.data.rolloutId}: it has not started, so nothing is recorded`,
    );
  const { rolloutId } = created.data;
  const definition = withPolicy(created.data.definition, policy);
  const fleet = started.data.plan.flatMap((wave) => wave.devices);
  const last = Math.max(Date.parse(now), ...events.map((e) => Date.parse(e.data.at)));
  const horizon = new Date(last).toISOString();
  const run = new ReplayRun();
  run.decide({
    type: "CreateRollout",
    rolloutId,
    definition,
    context: {
      selectedDevices: fleet.map((d) => ({
        deviceId: d.deviceId,
        fleet: definition.revision.fleet,
      })),
      revisionExists: true,
    },
    actor: created.data.actor,
    now: created.data.at,
  });
  run.decide({
    type: "StartRollout",
    devices: fleet.map(({ deviceId, currentRevision, online }) => ({
      deviceId,
      currentRevision,
      online,
    })),
    activeRollouts: [],
    actor: started.data.actor,
    now: started.data.at,
  });
  const inputs = recordedInputs(events);
  const assignedInHistory = new Set(
    events.flatMap((e) => (e.type === "WaveTargetsAssigned" ? e.data.deviceIds : [])),
  );
  for (const { at, input } of inputs) {
    run.fireTimersUntil(at, assignedInHistory);
    run.tryDecide(at, input);
  }
  run.fireTimersUntil(horizon, assignedInHistory);
  return {
    rolloutId,
    definition,
    recorded: outcome(events),
    replayed: outcome(run.events),
    inputs: inputs.length,
    refused: run.refused,
    horizon,
  };
}

function withPolicy(recorded: RolloutDefinition, policy: ReplayPolicy): RolloutDefinition {
  const given = policy.waves ?? [];
  const count = Math.max(recorded.waves.length, given.length);
  const waves = Array.from({ length: count }, (_, i) => ({
    ...(recorded.waves[i] ?? {}),
    ...(given[i] ?? {}),
  }));
  const merged = {
    ...recorded,
    waves,
    policy: { ...recorded.policy, ...policy.policy },
    ...(policy.deviceTimeoutSeconds === undefined
      ? {}
      : { deviceTimeoutSeconds: policy.deviceTimeoutSeconds }),
  };
  try {
    return parseDefinition(merged);
  } catch (error) {
    if (error instanceof ValidationError)
      throw new ValidationError(`replay policy: ${error.message}`, {
        ...(error.details ? { details: error.details } : {}),
      });
    throw error;
  }
}

/** The decider driven by recorded inputs and its own timers, in time order. */
class ReplayRun {
  readonly events: RolloutEvent[] = [];
  readonly refused: ReplayResult["refused"] = [];
  private state: RolloutState = initialState();
  private readonly timers = new Map<string, { at: string; timer: RolloutTimer }>();

  decide(input: RolloutInput): void {
    const { events, commands } = decide(input, this.state);
    for (const event of events) this.state = evolve(this.state, event);
    this.events.push(...events);
    this.schedule(commands);
  }

  tryDecide(at: string, input: RolloutInput): void {
    try {
      this.decide(input);
    } catch (error) {
      if (!(error instanceof StatecastError)) throw error;
      this.refused.push({ at, input: input.type, message: error.message });
    }
  }

  /** Fires every timer due by `until`, earliest first (a fired timer may schedule another). */
  fireTimersUntil(until: string, assignedInHistory: ReadonlySet<string>): void {
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, t]) => Date.parse(t.at) <= Date.parse(until))
        .sort(([, a], [, b]) => Date.parse(a.at) - Date.parse(b.at))[0];
      if (!due) return;
      const [key, { at, timer }] = due;
      this.timers.delete(key);
      // A device the real rollout never reached has no history: its silence proves nothing.
      if (timer.kind === "device_timeout" && !assignedInHistory.has(timer.deviceId)) continue;
      this.tryDecide(at, timerInput(timer, at));
    }
  }

  private schedule(commands: readonly RolloutOutputCommand[]): void {
    for (const command of commands)
      if (command.type === "ScheduleTimer")
        this.timers.set(`${command.timer.kind}:${command.timer.deviceId}`, {
          at: command.at,
          timer: command.timer,
        });
  }
}

function outcome(events: readonly RolloutEvent[]): ReplayOutcome {
  const state = events.reduce(evolve, initialState());
  return {
    status: state.status,
    decisions: events.flatMap((e) => {
      const summary = describeDecision(e);
      return summary === null ? [] : [{ at: e.data.at, type: e.type, summary }];
    }),
    waves: isStarted(state)
      ? state.waves.map((w) => ({
          index: w.index,
          status: w.status,
          deviceIds: w.deviceIds.length,
        }))
      : [],
  };
}

/** A decision in words, or null for an event that records a fact rather than a decision. */
export function describeDecision(event: RolloutEvent): string | null {
  switch (event.type) {
    case "WaveStarted":
      return `wave ${event.data.waveIndex} started`;
    case "WaveStartDeferred":
      return `wave ${event.data.waveIndex} deferred until ${event.data.until} (${event.data.cause})`;
    case "WaveTargetsAssigned":
      return `wave ${event.data.waveIndex}: ${event.data.deviceIds.length} target(s) assigned`;
    case "WaveGatePassed": {
      const c = event.data.counts;
      return `wave ${event.data.waveIndex} gate passed: ${c.succeeded}/${c.members} succeeded, ${c.failures} failure(s)`;
    }
    case "WaveGateFailed":
      return `wave ${event.data.waveIndex} gate failed: ${event.data.reason}`;
    case "RolloutPaused":
      return `paused (${event.data.cause})${event.data.reason ? `: ${event.data.reason}` : ""}`;
    case "RolloutResumed":
      return `resumed by ${event.data.actor}`;
    case "RolloutPromoted":
      return `wave ${event.data.waveIndex} promoted by ${event.data.actor}`;
    case "RolloutAborted":
      return `aborted by ${event.data.actor}${event.data.reason ? `: ${event.data.reason}` : ""}`;
    case "RolloutRollbackStarted":
      return `rollback started by ${event.data.actor}`;
    case "RolloutScheduleEnded":
      return `schedule ended at ${event.data.endAt} (${event.data.atEnd})`;
    case "RolloutTargetsCancelled":
      return `${event.data.deviceIds.length} target(s) cancelled`;
    case "RolloutCompleted":
      return "completed";
    default:
      return null;
  }
}
