import { createRegistry, rolloutCatalog } from "@statecast/events";
import type { RolloutOutputCommand } from "./rollout.inputs.js";
import { rolloutProgress } from "./rollout.progress.js";
import { replayRollout } from "./rollout.replay.js";
import {
  aDefinition,
  aRollout,
  at,
  aWave,
  devices,
  OPERATOR,
  report,
} from "./rollout.test-helper.js";
import { validateDefinition } from "./rollout.validation.js";
import { whyNotUpdated } from "./rollout.why.js";

const registry = createRegistry(rolloutCatalog);
const assigned = (commands: readonly RolloutOutputCommand[]) =>
  commands.flatMap((c) => (c.type === "AssignTarget" ? [c.deviceId] : []));

/** Two waves of 3 and 3 devices, at most 2 updating at once. */
const paced = () =>
  aRollout({
    definition: aDefinition({
      waves: [aWave({ size: { count: 3 } }), aWave({ size: { percent: 100 } })],
      maxInFlight: 2,
    }),
    devices: devices(6),
  });

describe("a paced rollout (maxInFlight)", () => {
  it("assigns only as many devices as it has slots, and one more as each finishes, in wave order", () => {
    const r = paced();
    const [a, b, c] = r.membersOf(0) as [string, string, string];
    expect(assigned(r.last.commands)).toEqual([a, b]);
    expect(rolloutProgress(r.state, at(2))?.pace).toEqual({ maxInFlight: 2, inFlight: 2 });
    expect(whyNotUpdated(r.state, c)).toMatchObject({
      reason: "waiting_for_slot",
      detail: "its wave is running; at most 2 devices update at once",
    });
    // Progress is no slot freed; a device done frees one, and the wave's next member takes it.
    expect(assigned(r.when(report.progress(a, "DOWNLOADING", at(5))).commands)).toEqual([]);
    const freed = r.when(report.done(a, at(10)));
    expect(assigned(freed.commands)).toEqual([c]);
    expect(rolloutProgress(r.state, at(11))?.pace).toEqual({ maxInFlight: 2, inFlight: 2 });
    expect(freed.events.map((e) => e.type)).toContain("WaveTargetsAssigned");
    for (const e of freed.events) expect(() => registry.validate(e.type, e.data)).not.toThrow();
  });

  it("passes a wave's gate only once every member is assigned; the next wave waits for a slot", () => {
    // Unpaced, the gate would pass at 1 of 3 (two failures allowed); paced, not before the third
    // member has its target. It passes with the third still updating (a late finisher), and the
    // next wave's device waits for that slot.
    const r = aRollout({
      definition: aDefinition({
        waves: [
          aWave({ size: { count: 3 }, maxFailures: { count: 2 } }),
          aWave({ size: { percent: 100 } }),
        ],
        maxInFlight: 1,
      }),
      devices: devices(4),
    });
    const [a, b, c] = r.membersOf(0) as [string, string, string];
    const [d] = r.membersOf(1) as [string];
    expect(assigned(r.last.commands)).toEqual([a]);
    const first = r.when(report.done(a, at(10)));
    expect(assigned(first.commands)).toEqual([b]);
    expect(first.events.map((e) => e.type)).not.toContain("WaveGatePassed");
    const second = r.when(report.done(b, at(20)));
    expect(assigned(second.commands)).toEqual([c]);
    expect(second.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["WaveGatePassed", "WaveStarted"]),
    );
    expect(whyNotUpdated(r.state, d)?.reason).toBe("waiting_for_slot");
    expect(assigned(r.when(report.done(c, at(30))).commands)).toEqual([d]);
  });

  it("completes only once every device of the last wave has been assigned", () => {
    const r = aRollout({
      definition: aDefinition({
        waves: [aWave({ size: { percent: 100 }, minSample: 1, maxFailures: { count: 3 } })],
        maxInFlight: 1,
      }),
      devices: devices(4),
    });
    const ids = r.membersOf(0);
    const completedAt = ids.map((id, i) => {
      const decided = r.when(report.done(id, at(10 * (i + 1))));
      return decided.events.some((e) => e.type === "RolloutCompleted");
    });
    // Unpaced, one success would complete it; paced, the third success assigns the last device.
    expect(completedAt).toEqual([false, false, true, false]);
  });

  it("assigns nothing while paused, and fills its slots again on resume", () => {
    const r = paced();
    const [a, b, c] = r.membersOf(0) as [string, string, string];
    r.when({ type: "PauseRollout", actor: OPERATOR, now: at(1) });
    expect(assigned(r.when(report.done(a, at(5))).commands)).toEqual([]);
    expect(whyNotUpdated(r.state, c)?.reason).toBe("paused");
    const resumed = r.when({ type: "ResumeRollout", actor: OPERATOR, now: at(9) });
    expect(assigned(resumed.commands)).toEqual([c]);
    expect(b).toBeDefined();
  });

  it("frees a slot for a failed or a rejected device too", () => {
    const r = aRollout({
      definition: aDefinition({
        waves: [aWave({ size: { percent: 100 }, maxFailures: { count: 2 } })],
        maxInFlight: 2,
      }),
      devices: devices(4),
    });
    const [a, b, c, d] = r.membersOf(0) as [string, string, string, string];
    expect(assigned(r.when(report.wontgo(a, at(5))).commands)).toEqual([c]);
    expect(assigned(r.when(report.error(b, at(6))).commands)).toEqual([d]);
  });

  it("is refused unless a whole number of at least 1", () => {
    const context = {
      selectedDevices: [{ deviceId: "d", fleet: "fleet-a" }],
      revisionExists: true,
    };
    const issues = validateDefinition(
      aDefinition({ waves: [aWave({ size: { percent: 100 } })], maxInFlight: 0 }),
      context,
    );
    expect(issues).toContainEqual({
      path: "maxInFlight",
      message: "must be a whole number ≥ 1, got 0",
    });
  });

  it("replays at its pace: the recorded decisions again, and another wave size topped up alike", () => {
    const r = paced();
    // Each assigned device reports DONE in turn, until the rollout completes.
    const done = new Set<string>();
    for (let t = 10; r.state.status === "running"; t++) {
      const next = r.events
        .flatMap((e) => (e.type === "WaveTargetsAssigned" ? e.data.deviceIds : []))
        .find((id) => !done.has(id));
      if (next === undefined) break;
      done.add(next);
      r.when(report.done(next, at(t)));
    }
    expect(r.state.status).toBe("completed");
    const same = replayRollout(r.events, {}, at(1000));
    expect(same.replayed).toEqual(same.recorded);
    expect(same.recorded.decisions.map((d) => d.summary)).toEqual([
      "wave 0 started",
      "wave 0: 2 target(s) assigned",
      "wave 0: 1 target(s) assigned",
      "wave 0 gate passed: 3/3 succeeded, 0 failure(s)",
      "wave 1 started",
      "wave 1: 2 target(s) assigned",
      "wave 1: 1 target(s) assigned",
      "wave 1 gate passed: 3/3 succeeded, 0 failure(s)",
      "completed",
    ]);
    const smaller = replayRollout(r.events, { waves: [{ size: { count: 1 } }] }, at(1000));
    expect(smaller.replayed.status).toBe("completed");
    expect(smaller.replayed.waves.map((w) => w.deviceIds)).toEqual([1, 5]);
  });
});
