import {
  aDefinition,
  aDevice,
  aRollout,
  at,
  aWave,
  PREVIOUS,
  ROLLOUT_ID,
  report,
  TARGET,
} from "./rollout.test-helper.js";

const SYSTEM = "system:rollout-process-manager";
const strict = aWave({ size: { percent: 100 }, maxFailures: { count: 0 } });

describe("late failures count against the rollout", () => {
  it("an ERROR after the device's wave passed trips the next gate", () => {
    const rollout = aRollout({ definition: aDefinition({ waves: [aWave(), strict] }) });
    const [a, b] = rollout.membersOf(0) as [string, string];
    rollout.when(report.done(a, at(10)));
    rollout.when(report.done(b, at(11)));
    expect(rollout.state).toMatchObject({ status: "running", currentWave: 1 });
    expect(rollout.when(report.error(a, at(50), "unexpected_rollback")).events).toEqual([
      {
        type: "RolloutDeviceFailed",
        data: {
          deviceId: a,
          reason: "unexpected_rollback",
          late: true,
          countedInWave: 1,
          at: at(50),
          source: "error",
        },
      },
      {
        type: "WaveGateFailed",
        data: {
          waveIndex: 1,
          counts: { members: 2, finished: 1, succeeded: 0, failures: 1, lateFailures: 1 },
          reason: "1 failures exceed the cap of 0",
          at: at(50),
        },
      },
      {
        type: "RolloutPaused",
        data: {
          actor: SYSTEM,
          reason: "wave 1 gate failed: 1 failures exceed the cap of 0",
          cause: "gate_failed",
          at: at(50),
        },
      },
    ]);
  });

  it("a rollback reported while waiting at a manual gate is counted by the next wave's gate", () => {
    const def = aDefinition({
      waves: [aWave(), strict],
      policy: { onFailure: "pause", onSuccess: "pause" },
    });
    const rollout = aRollout({ definition: def });
    const [a, b] = rollout.membersOf(0) as [string, string];
    rollout.when(report.done(a, at(10)));
    rollout.when(report.done(b, at(11)));
    expect(rollout.state).toMatchObject({ status: "paused", cause: "manual_gate" });
    rollout.when({
      type: "DeviceRolledBack",
      deviceId: b,
      revision: TARGET,
      reason: "boot_failed",
      now: at(20),
    });
    expect(rollout.last.events).toEqual([
      {
        type: "RolloutDeviceFailed",
        data: {
          deviceId: b,
          reason: "boot_failed",
          late: true,
          countedInWave: 1,
          at: at(20),
          source: "rolled_back",
        },
      },
    ]);
    rollout.when({ type: "PromoteRollout", actor: "operator:ada", now: at(30) });
    expect(rollout.last.events.map((e) => e.type)).toEqual([
      "RolloutPromoted",
      "WaveStarted",
      "WaveTargetsAssigned",
      "WaveGateFailed",
      "RolloutPaused",
    ]);
  });
});

describe("policy", () => {
  it("onSuccess pause waits at a manual gate after each passed wave", () => {
    const def = aDefinition({ policy: { onFailure: "pause", onSuccess: "pause" } });
    const rollout = aRollout({ definition: def });
    const [a, b] = rollout.membersOf(0) as [string, string];
    rollout.when(report.done(a, at(10)));
    expect(rollout.when(report.done(b, at(11))).events.slice(1)).toEqual([
      {
        type: "WaveGatePassed",
        data: {
          waveIndex: 0,
          counts: { members: 2, finished: 2, succeeded: 2, failures: 0, lateFailures: 0 },
          at: at(11),
        },
      },
      {
        type: "RolloutPaused",
        data: {
          actor: SYSTEM,
          reason: "wave 0 passed; promote to start wave 1",
          cause: "manual_gate",
          at: at(11),
        },
      },
    ]);
  });

  it("onFailure abort aborts and cancels the targets devices have not started on", () => {
    const def = aDefinition({
      waves: [aWave({ size: { count: 3 } }), strict],
      policy: { onFailure: "abort", onSuccess: "next" },
    });
    const rollout = aRollout({
      definition: def,
      devices: ["a", "b", "c", "d"].map((id) => aDevice(id)),
    });
    const [x, y, z] = rollout.membersOf(0) as [string, string, string];
    rollout.when(report.progress(y, "DOWNLOADING", at(5)));
    expect(rollout.when(report.error(x, at(10)))).toEqual({
      events: [
        expect.objectContaining({ type: "RolloutDeviceFailed" }),
        expect.objectContaining({ type: "WaveGateFailed" }),
        {
          type: "RolloutAborted",
          data: {
            actor: SYSTEM,
            reason: "wave 0 gate failed: 1 failures exceed the cap of 0",
            at: at(10),
          },
        },
        { type: "RolloutTargetsCancelled", data: { deviceIds: [z], at: at(10) } },
      ],
      commands: [{ type: "CancelTarget", deviceId: z, revision: TARGET, rolloutId: ROLLOUT_ID }],
    });
  });

  it("onFailure rollback starts a staged rollout back to the previous revision", () => {
    const def = aDefinition({
      waves: [aWave({ size: { count: 3 } }), strict],
      policy: { onFailure: "rollback", onSuccess: "next" },
    });
    const rollout = aRollout({
      definition: def,
      devices: ["a", "b", "c", "d"].map((id) => aDevice(id)),
    });
    const [x, y, z] = rollout.membersOf(0) as [string, string, string];
    rollout.when(report.done(y, at(5)));
    rollout.when(report.error(x, at(10)));
    expect(rollout.last.events.slice(2)).toEqual([
      {
        type: "RolloutRollbackStarted",
        data: {
          actor: SYSTEM,
          reason: "wave 0 gate failed: 1 failures exceed the cap of 0",
          at: at(10),
          rollbackRollouts: [
            { rolloutId: `${ROLLOUT_ID}-rollback-1`, revision: PREVIOUS, deviceIds: [y] },
          ],
          withoutPreviousRevision: [],
        },
      },
      { type: "RolloutTargetsCancelled", data: { deviceIds: [z], at: at(10) } },
    ]);
    expect(rollout.last.commands).toEqual([
      { type: "CancelTarget", deviceId: z, revision: TARGET, rolloutId: ROLLOUT_ID },
      {
        type: "StartRollbackRollout",
        rolloutId: `${ROLLOUT_ID}-rollback-1`,
        rollbackOf: ROLLOUT_ID,
        definition: {
          revision: PREVIOUS,
          selector: { ids: [y] },
          waves: [aWave({ size: { count: 3 } }), strict],
          policy: { onFailure: "pause", onSuccess: "next" },
        },
        actor: SYSTEM,
        reason: "wave 0 gate failed: 1 failures exceed the cap of 0",
      },
    ]);
    expect(rollout.state.status).toBe("rolled_back");
  });

  it("completes when the last wave's gate passes", () => {
    const rollout = aRollout();
    for (const wave of [0, 1])
      for (const id of rollout.membersOf(wave)) rollout.when(report.done(id, at(10 + wave)));
    expect(rollout.last.events.slice(-2)).toEqual([
      {
        type: "WaveGatePassed",
        data: {
          waveIndex: 1,
          counts: { members: 2, finished: 2, succeeded: 2, failures: 0, lateFailures: 0 },
          at: at(11),
        },
      },
      { type: "RolloutCompleted", data: { at: at(11) } },
    ]);
    expect(rollout.state.status).toBe("completed");
  });
});
