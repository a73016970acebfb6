import { createRegistry, rolloutCatalog } from "@statecast/events";
import {
  aDefinition,
  aRollout,
  at,
  aWave,
  devices,
  replay,
  report,
} from "./rollout.test-helper.js";
import { whyNotUpdated } from "./rollout.why.js";

const registry = createRegistry(rolloutCatalog);
const fleet = devices(4); // wave 0: 2 devices, wave 1: the rest

describe("rollout schedule: start at, per-wave not-before, end at", () => {
  it("a rollout started before its start-at defers wave 0, assigns nothing, and starts on the timer", () => {
    const definition = aDefinition({ schedule: { startAt: at(3600) } });
    const r = aRollout({ definition, devices: fleet });
    expect(r.last.events.map((e) => e.type)).toEqual(["RolloutStarted", "WaveStartDeferred"]);
    expect(r.last.events[1]?.data).toEqual({
      waveIndex: 0,
      until: at(3600),
      cause: "rollout_start_at",
      at: at(1),
    });
    expect(r.last.commands).toEqual([
      {
        type: "ScheduleTimer",
        at: at(3600),
        timer: { kind: "wave_start", rolloutId: "r-1", deviceId: "" },
      },
    ]);
    const member = r.membersOf(0)[0] ?? "";
    expect(whyNotUpdated(r.state, member)).toMatchObject({
      reason: "scheduled",
      until: at(3600),
      detail: `rollout start-at ${at(3600)}`,
    });

    // a timer delivered early changes nothing (the decider reads only `now`)
    expect(
      r.when({ type: "ScheduleTimerElapsed", kind: "wave_start", now: at(3599) }).events,
    ).toEqual([]);
    const started = r.when({ type: "ScheduleTimerElapsed", kind: "wave_start", now: at(3600) });
    expect(started.events.map((e) => e.type)).toEqual(["WaveStarted", "WaveTargetsAssigned"]);
    expect(started.commands.filter((c) => c.type === "AssignTarget")).toHaveLength(2);
    expect(whyNotUpdated(r.state, member)?.reason).toBe("queued");
    for (const e of r.events) expect(() => registry.validate(e.type, e.data)).not.toThrow();
  });

  it("a later wave waits for its not-before after its predecessor's gate passed", () => {
    const definition = aDefinition({
      waves: [aWave(), aWave({ size: { percent: 100 }, notBefore: at(7200) })],
    });
    const r = aRollout({ definition, devices: fleet });
    const [a, b] = r.membersOf(0);
    r.when(report.done(a ?? "", at(10)));
    const passed = r.when(report.done(b ?? "", at(11)));
    expect(passed.events.map((e) => e.type)).toEqual([
      "RolloutDeviceSucceeded",
      "WaveGatePassed",
      "WaveStartDeferred",
    ]);
    expect(passed.events[2]?.data).toMatchObject({ waveIndex: 1, cause: "wave_not_before" });
    expect(whyNotUpdated(r.state, r.membersOf(1)[0] ?? "")).toMatchObject({
      reason: "scheduled",
      detail: `wave 1 not-before ${at(7200)}`,
    });
    const due = r.when({ type: "ScheduleTimerElapsed", kind: "wave_start", now: at(7201) });
    expect(due.events.map((e) => e.type)).toEqual(["WaveStarted", "WaveTargetsAssigned"]);
  });

  it("a paused rollout starts a due deferred wave only when resumed", () => {
    const definition = aDefinition({ schedule: { startAt: at(100) } });
    const r = aRollout({ definition, devices: fleet });
    r.when({ type: "PauseRollout", actor: "operator:ada", now: at(50) });
    expect(
      r.when({ type: "ScheduleTimerElapsed", kind: "wave_start", now: at(100) }).events,
    ).toEqual([]);
    const resumed = r.when({ type: "ResumeRollout", actor: "operator:ada", now: at(200) });
    expect(resumed.events.map((e) => e.type)).toEqual([
      "RolloutResumed",
      "WaveStarted",
      "WaveTargetsAssigned",
    ]);
  });

  it("at end-at, stop_assigning ends the rollout and leaves assigned devices their targets", () => {
    const definition = aDefinition({ schedule: { endAt: at(600) } });
    const r = aRollout({ definition, devices: fleet });
    expect(r.last.commands).toContainEqual({
      type: "ScheduleTimer",
      at: at(600),
      timer: { kind: "schedule_end", rolloutId: "r-1", deviceId: "" },
    });
    const end = r.when({ type: "ScheduleTimerElapsed", kind: "schedule_end", now: at(600) });
    expect(end.events.map((e) => e.type)).toEqual(["RolloutScheduleEnded", "RolloutAborted"]);
    expect(end.commands).toEqual([]);
    expect(r.state.status).toBe("aborted");
    // a device that was already assigned still finishes and is recorded
    const late = r.when(report.done(r.membersOf(0)[0] ?? "", at(700)));
    expect(late.events.map((e) => e.type)).toEqual(["RolloutDeviceSucceeded"]);
  });

  it("at end-at, cancel_pending also withdraws the targets not yet started", () => {
    const definition = aDefinition({ schedule: { endAt: at(600), atEnd: "cancel_pending" } });
    const r = aRollout({ definition, devices: fleet });
    const [a, b] = r.membersOf(0);
    r.when(report.progress(a ?? "", "DOWNLOADING", at(10)));
    const end = r.when({ type: "ScheduleTimerElapsed", kind: "schedule_end", now: at(601) });
    expect(end.events.map((e) => e.type)).toEqual([
      "RolloutScheduleEnded",
      "RolloutAborted",
      "RolloutTargetsCancelled",
    ]);
    expect(end.events[2]?.data).toMatchObject({ deviceIds: [b] });
    expect(end.commands.map((c) => c.type)).toEqual(["CancelTarget"]);
  });

  it("a device fact after end-at ends the schedule even before its timer fires", () => {
    const definition = aDefinition({ schedule: { endAt: at(600) } });
    const r = aRollout({ definition, devices: fleet });
    const fact = r.when(report.done(r.membersOf(0)[0] ?? "", at(650)));
    expect(fact.events.map((e) => e.type)).toEqual([
      "RolloutDeviceSucceeded",
      "RolloutScheduleEnded",
      "RolloutAborted",
    ]);
  });

  it("refuses to start a rollout whose schedule already ended", () => {
    const definition = aDefinition({ schedule: { endAt: at(0) } });
    expect(() => aRollout({ definition, devices: fleet })).toThrow(/schedule ended at/);
  });
});

describe("validating a schedule", () => {
  it("names an end before the start and a wave that could never start", () => {
    const definition = aDefinition({
      schedule: { startAt: at(100), endAt: at(50) },
      waves: [aWave({ notBefore: at(60) }), aWave({ size: { percent: 100 } })],
    });
    expect(() => aRollout({ definition, devices: fleet, start: false })).toThrow(
      /schedule\.endAt must be after schedule\.startAt.*waves\[0\]\.notBefore is not before schedule\.endAt/,
    );
  });
});

describe("events written before schedules existed", () => {
  it("still validate and replay to an unscheduled rollout", () => {
    const previousRelease = aRollout({ devices: fleet }).events; // no schedule, no notBefore
    const created = previousRelease[0];
    expect(created?.type === "RolloutCreated" && created.data.definition.schedule).toBeUndefined();
    for (const e of previousRelease) expect(() => registry.validate(e.type, e.data)).not.toThrow();
    const state = replay(previousRelease);
    expect(state.status === "running" && state.waves.map((w) => w.deferredUntil)).toEqual([
      null,
      null,
    ]);
  });
});
