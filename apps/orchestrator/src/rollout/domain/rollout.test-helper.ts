import { decide } from "./rollout.decider.js";
import type { RevisionRef, RolloutDefinition, WaveSpec } from "./rollout.definition.js";
import type { RolloutEvent } from "./rollout.events.js";
import type { RolloutDecision, RolloutInput } from "./rollout.inputs.js";
import type { RolloutState } from "./rollout.js";
import { evolve, initialState } from "./rollout.js";
import type { FleetDevice } from "./rollout.plan.js";

export const FLEET = "fleet-a";
export const TARGET: RevisionRef = { fleet: FLEET, number: 7 };
export const PREVIOUS: RevisionRef = { fleet: FLEET, number: 6 };
export const OPERATOR = "operator:ada";
export const ROLLOUT_ID = "r-1";

const T0 = Date.parse("2026-03-01T10:00:00.000Z");
/** The instant `seconds` after the test epoch. */
export const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

export function aWave(overrides: Partial<WaveSpec> = {}): WaveSpec {
  return {
    size: { count: 2 },
    minSample: 1,
    soakSeconds: 0,
    maxFailures: { count: 0 },
    ...overrides,
  };
}

export function aDefinition(overrides: Partial<RolloutDefinition> = {}): RolloutDefinition {
  return {
    revision: TARGET,
    selector: { fleet: FLEET },
    waves: [aWave(), aWave({ size: { percent: 100 } })],
    policy: { onFailure: "pause", onSuccess: "next" },
    ...overrides,
  };
}

export function aDevice(deviceId: string, overrides: Partial<FleetDevice> = {}): FleetDevice {
  return { deviceId, currentRevision: PREVIOUS, online: true, ...overrides };
}

export const devices = (n: number, prefix = "dev") =>
  Array.from({ length: n }, (_, i) => aDevice(`${prefix}-${String(i).padStart(3, "0")}`));

export function replay(events: readonly RolloutEvent[]): RolloutState {
  return events.reduce(evolve, initialState());
}

/** Given a history, runs inputs one after the other and keeps every event (the stream). */
export class RolloutScenario {
  readonly events: RolloutEvent[] = [];
  last: RolloutDecision = { events: [], commands: [] };

  /** Folded event by event as they are decided (the property tests compare it with a replay). */
  state: RolloutState = initialState();

  when(input: RolloutInput): RolloutDecision {
    this.last = decide(input, this.state);
    this.events.push(...this.last.events);
    this.state = this.last.events.reduce(evolve, this.state);
    return this.last;
  }

  /** The wave a device was planned into. */
  waveOf(deviceId: string): number {
    const started = this.events.find((e) => e.type === "RolloutStarted");
    if (started?.type !== "RolloutStarted") throw new Error("rollout not started");
    const wave = started.data.plan.find((w) => w.devices.some((d) => d.deviceId === deviceId));
    if (!wave) throw new Error(`${deviceId} is not in the plan`);
    return wave.index;
  }

  membersOf(waveIndex: number): string[] {
    const started = this.events.find((e) => e.type === "RolloutStarted");
    if (started?.type !== "RolloutStarted") throw new Error("rollout not started");
    return started.data.plan[waveIndex]?.devices.map((d) => d.deviceId) ?? [];
  }
}

export type RolloutBuilder = {
  definition?: RolloutDefinition;
  devices?: FleetDevice[];
  id?: string;
};

/** A created rollout (`start: false`) or a started one, as a scenario ready for more inputs. */
export function aRollout(options: RolloutBuilder & { start?: boolean } = {}): RolloutScenario {
  const definition = options.definition ?? aDefinition();
  const fleet = options.devices ?? devices(4);
  const scenario = new RolloutScenario();
  scenario.when({
    type: "CreateRollout",
    rolloutId: options.id ?? ROLLOUT_ID,
    definition,
    context: {
      selectedDevices: fleet.map((d) => ({ deviceId: d.deviceId, fleet: FLEET })),
      revisionExists: true,
    },
    actor: OPERATOR,
    now: at(0),
  });
  if (options.start !== false)
    scenario.when({
      type: "StartRollout",
      devices: fleet,
      activeRollouts: [],
      actor: OPERATOR,
      now: at(1),
    });
  return scenario;
}

/** Shorthands for device facts about the rollout's revision. */
export const report = {
  done: (deviceId: string, now: string) =>
    ({ type: "UpdateSucceeded", deviceId, revision: TARGET, status: "DONE", now }) as const,
  error: (deviceId: string, now: string, reason = "status_goal_timeout") =>
    ({ type: "UpdateFailed", deviceId, revision: TARGET, reason, now }) as const,
  wontgo: (deviceId: string, now: string, reason = "no_space") =>
    ({ type: "UpdateRejected", deviceId, revision: TARGET, reason, now }) as const,
  progress: (
    deviceId: string,
    status: "QUEUED" | "DOWNLOADING" | "INPROGRESS" | "TESTING",
    now: string,
  ) => ({ type: "UpdateProgressReported", deviceId, revision: TARGET, status, now }) as const,
};
