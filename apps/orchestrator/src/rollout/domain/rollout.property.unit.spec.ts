import { createRegistry, IllegalStateError, rolloutCatalog } from "@statecast/events";
import fc from "fast-check";
import type { RolloutDefinition, WaveSpec } from "./rollout.definition.js";
import type { RolloutEvent } from "./rollout.events.js";
import { allowedFailures } from "./rollout.gate.js";
import type { RolloutInput, RolloutOutputCommand } from "./rollout.inputs.js";
import type { RolloutState } from "./rollout.js";
import { isStarted } from "./rollout.js";
import {
  aDefinition,
  aDevice,
  aRollout,
  at,
  OPERATOR,
  replay,
  TARGET,
} from "./rollout.test-helper.js";

const registry = createRegistry(rolloutCatalog);

const waveSpec: fc.Arbitrary<WaveSpec> = fc.record({
  size: fc.oneof(
    fc.record({ percent: fc.integer({ min: 10, max: 60 }) }),
    fc.record({ count: fc.integer({ min: 1, max: 6 }) }),
  ),
  minSample: fc.integer({ min: 1, max: 5 }),
  soakSeconds: fc.constantFrom(0, 0, 60),
  maxFailures: fc.oneof(
    fc.record({ count: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ percent: fc.integer({ min: 0, max: 50 }) }),
    fc.record({ percent: fc.integer({ min: 0, max: 50 }), count: fc.integer({ min: 0, max: 3 }) }),
  ),
});

const rolloutSetup = fc.record({
  waves: fc.array(waveSpec, { minLength: 1, maxLength: 4 }),
  policy: fc.record({
    onFailure: fc.constantFrom("pause", "abort", "rollback"),
    onSuccess: fc.constantFrom("next", "pause"),
  }),
  timeout: fc.option(fc.integer({ min: 30, max: 300 }), { nil: undefined }),
  devices: fc.integer({ min: 1, max: 20 }),
  onTarget: fc.integer({ min: 0, max: 3 }),
});

const KINDS = [
  "ack",
  "downloading",
  "testing",
  "done",
  "error",
  "wontgo",
  "rolledBack",
  "offline",
  "online",
  "soak",
  "timeout",
  "join",
  "pause",
  "resume",
  "promote",
  "abort",
  "rollback",
] as const;
const step = fc.record({
  kind: fc.constantFrom(...KINDS, "done", "done", "soak"),
  device: fc.nat(25),
  dt: fc.integer({ min: 0, max: 90 }),
});

function toInput(s: { kind: (typeof KINDS)[number]; device: number }, now: string): RolloutInput {
  const deviceId = `dev-${String(s.device).padStart(3, "0")}`;
  const fact = { deviceId, revision: TARGET, now };
  const op = { actor: OPERATOR, now };
  switch (s.kind) {
    case "ack":
      return { type: "TargetAcknowledged", ...fact };
    case "downloading":
      return { type: "UpdateProgressReported", status: "DOWNLOADING", ...fact };
    case "testing":
      return { type: "UpdateProgressReported", status: "TESTING", ...fact };
    case "done":
      return { type: "UpdateSucceeded", status: "DONE", ...fact };
    case "error":
      return { type: "UpdateFailed", reason: "status_goal_timeout", ...fact };
    case "wontgo":
      return { type: "UpdateRejected", reason: "no_space", ...fact };
    case "rolledBack":
      return { type: "DeviceRolledBack", reason: "boot_failed", ...fact };
    case "offline":
      return { type: "DeviceWentOffline", deviceId, now };
    case "online":
      return { type: "DeviceCameOnline", deviceId, now };
    case "soak":
      return { type: "SoakTimerElapsed", deviceId, now };
    case "timeout":
      return { type: "DeviceTimeoutElapsed", deviceId, now };
    case "join":
      return {
        type: "DeviceJoinedSelector",
        device: aDevice(`join-${s.device}`),
        heldBy: null,
        now,
      };
    case "pause":
      return { type: "PauseRollout", ...op };
    case "resume":
      return { type: "ResumeRollout", ...op };
    case "promote":
      return { type: "PromoteRollout", ...op };
    case "abort":
      return { type: "AbortRollout", ...op };
    case "rollback":
      return { type: "RollbackRollout", ...op };
  }
}

type Setup = typeof rolloutSetup extends fc.Arbitrary<infer T> ? T : never;
type Run = {
  events: RolloutEvent[];
  commands: RolloutOutputCommand[];
  incremental: RolloutState;
  final: RolloutState;
};

function run(
  setup: Setup,
  steps: Array<{ kind: (typeof KINDS)[number]; device: number; dt: number }>,
): Run {
  const definition: RolloutDefinition = aDefinition({
    waves: [
      ...setup.waves.slice(0, -1),
      { ...(setup.waves.at(-1) as WaveSpec), size: { percent: 100 } },
    ],
    policy: setup.policy,
    ...(setup.timeout === undefined ? {} : { deviceTimeoutSeconds: setup.timeout }),
  });
  const fleet = Array.from({ length: setup.devices }, (_, i) =>
    aDevice(
      `dev-${String(i).padStart(3, "0")}`,
      i < setup.onTarget ? { currentRevision: TARGET } : {},
    ),
  );
  const rollout = aRollout({ definition, devices: fleet });
  const commands = [...rollout.last.commands];
  let clock = 1;
  for (const s of steps) {
    clock += s.dt;
    try {
      const decision = rollout.when(toInput(s, at(clock)));
      commands.push(...decision.commands);
    } catch (error) {
      if (!(error instanceof IllegalStateError)) throw error;
    }
  }
  return {
    events: rollout.events,
    commands,
    incremental: rollout.state,
    final: replay(rollout.events),
  };
}

describe("rollout process manager properties", () => {
  it("replays deterministically, produces only catalog-valid events and never passes a wave below its gate", () => {
    fc.assert(
      fc.property(rolloutSetup, fc.array(step, { maxLength: 100 }), (setup, steps) => {
        const first = run(setup, steps);
        const second = run(setup, steps);
        expect(second.events).toEqual(first.events);
        expect(second.commands).toEqual(first.commands);
        expect(first.incremental).toEqual(first.final);
        for (const event of first.events) registry.validate(event.type, event.data);
        const created = first.events[0];
        if (created?.type !== "RolloutCreated")
          throw new Error("the stream must open with RolloutCreated");
        for (const event of first.events) {
          if (event.type !== "WaveGatePassed") continue;
          const spec = created.data.definition.waves[event.data.waveIndex] as WaveSpec;
          const { members, succeeded, finished, failures } = event.data.counts;
          const wave = { spec } as Parameters<typeof allowedFailures>[0];
          expect(succeeded).toBeGreaterThanOrEqual(members - allowedFailures(wave, members));
          expect(finished).toBeGreaterThanOrEqual(Math.min(spec.minSample, members));
          if (spec.maxFailures.count !== undefined)
            expect(failures).toBeLessThanOrEqual(spec.maxFailures.count);
        }
        if (isStarted(first.final))
          for (const wave of first.final.waves)
            expect(Object.values(wave.counts).reduce((a, b) => a + b, 0)).toBe(
              wave.deviceIds.length,
            );
        const assigned = first.commands.flatMap((c) =>
          c.type === "AssignTarget" ? [c.deviceId] : [],
        );
        expect(new Set(assigned).size).toBe(assigned.length);
      }),
      { numRuns: 120 },
    );
  }, 60_000); // generous: a loaded CI machine is slower, the property itself takes ~2 s
});
