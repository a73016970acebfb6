import {
  aDefinition,
  aDevice,
  aRollout,
  at,
  aWave,
  OPERATOR,
  PREVIOUS,
  ROLLOUT_ID,
  report,
  TARGET,
} from "./rollout.test-helper.js";
import { whyNotUpdated } from "./rollout.why.js";

const fourDevices = ["a", "b", "c", "d"].map((id) => aDevice(id));

describe("operator controls", () => {
  it("start plans the waves, starts the canary and assigns its targets", () => {
    const rollout = aRollout({ start: false, devices: fourDevices });
    const decision = rollout.when({
      type: "StartRollout",
      devices: fourDevices,
      activeRollouts: [],
      actor: OPERATOR,
      reason: "ship it",
      now: at(1),
    });
    const canary = rollout.membersOf(0);
    expect(decision.events.map((e) => e.type)).toEqual([
      "RolloutStarted",
      "WaveStarted",
      "WaveTargetsAssigned",
    ]);
    expect(decision.events[0]).toMatchObject({
      data: { actor: OPERATOR, reason: "ship it", at: at(1) },
    });
    expect(decision.commands).toEqual(
      canary.map((deviceId) => ({
        type: "AssignTarget",
        deviceId,
        revision: TARGET,
        rolloutId: ROLLOUT_ID,
        waveIndex: 0,
      })),
    );
  });

  it("pause stops gate decisions; device facts are still recorded; resume decides", () => {
    const rollout = aRollout();
    const [a, b] = rollout.membersOf(0) as [string, string];
    expect(
      rollout.when({ type: "PauseRollout", actor: OPERATOR, reason: "lunch", now: at(5) }).events,
    ).toEqual([
      {
        type: "RolloutPaused",
        data: { actor: OPERATOR, reason: "lunch", cause: "operator", at: at(5) },
      },
    ]);
    rollout.when(report.done(a, at(6)));
    expect(rollout.when(report.done(b, at(7))).events.map((e) => e.type)).toEqual([
      "RolloutDeviceSucceeded",
    ]);
    const resumed = rollout.when({ type: "ResumeRollout", actor: OPERATOR, now: at(8) });
    expect(resumed.events.map((e) => e.type)).toEqual([
      "RolloutResumed",
      "WaveGatePassed",
      "WaveStarted",
      "WaveTargetsAssigned",
    ]);
  });

  it("resume after a failed gate overrides it and starts the next wave", () => {
    const rollout = aRollout();
    rollout.when(report.error(rollout.membersOf(0)[0] as string, at(5)));
    expect(rollout.state).toMatchObject({ status: "paused", cause: "gate_failed" });
    const resumed = rollout.when({
      type: "ResumeRollout",
      actor: OPERATOR,
      reason: "known flaky board",
      now: at(9),
    });
    expect(resumed.events.slice(0, 2)).toEqual([
      { type: "RolloutResumed", data: { actor: OPERATOR, reason: "known flaky board", at: at(9) } },
      { type: "WaveStarted", data: { waveIndex: 1, at: at(9) } },
    ]);
  });

  it("resume after the last wave's gate failed completes the rollout", () => {
    const rollout = aRollout();
    for (const id of rollout.membersOf(0)) rollout.when(report.done(id, at(5)));
    rollout.when(report.error(rollout.membersOf(1)[0] as string, at(6)));
    expect(rollout.when({ type: "ResumeRollout", actor: OPERATOR, now: at(7) }).events).toEqual([
      { type: "RolloutResumed", data: { actor: OPERATOR, at: at(7) } },
      { type: "RolloutCompleted", data: { at: at(7) } },
    ]);
  });

  it("promote ends the soak of the current wave early", () => {
    const rollout = aRollout({
      definition: aDefinition({
        waves: [aWave({ soakSeconds: 3600 }), aWave({ size: { percent: 100 } })],
      }),
    });
    const [a, b] = rollout.membersOf(0) as [string, string];
    rollout.when(report.done(a, at(5)));
    rollout.when(report.done(b, at(6)));
    const promoted = rollout.when({
      type: "PromoteRollout",
      actor: OPERATOR,
      reason: "lab verified",
      now: at(60),
    });
    expect(promoted.events.slice(0, 4)).toEqual([
      {
        type: "RolloutPromoted",
        data: { actor: OPERATOR, reason: "lab verified", waveIndex: 0, at: at(60) },
      },
      { type: "RolloutDeviceSucceeded", data: { deviceId: a, via: "promoted", at: at(60) } },
      { type: "RolloutDeviceSucceeded", data: { deviceId: b, via: "promoted", at: at(60) } },
      expect.objectContaining({ type: "WaveGatePassed" }),
    ]);
    expect(rollout.when({ type: "SoakTimerElapsed", deviceId: a, now: at(3605) })).toEqual({
      events: [],
      commands: [],
    });
  });

  it("abort: no new assignments, in-flight devices finish, queued targets are cancelled", () => {
    const rollout = aRollout({
      definition: aDefinition({
        waves: [aWave({ size: { count: 3 } }), aWave({ size: { percent: 100 } })],
      }),
      devices: fourDevices,
    });
    const [x, y, z] = rollout.membersOf(0) as [string, string, string];
    const [later] = rollout.membersOf(1) as [string];
    rollout.when(report.progress(x, "INPROGRESS", at(2)));
    rollout.when({ type: "TargetAcknowledged", deviceId: y, revision: TARGET, now: at(3) });
    expect(
      rollout.when({ type: "AbortRollout", actor: OPERATOR, reason: "wrong build", now: at(4) }),
    ).toEqual({
      events: [
        { type: "RolloutAborted", data: { actor: OPERATOR, reason: "wrong build", at: at(4) } },
        { type: "RolloutTargetsCancelled", data: { deviceIds: [y, z].sort(), at: at(4) } },
      ],
      commands: [y, z].sort().map((deviceId) => ({
        type: "CancelTarget",
        deviceId,
        revision: TARGET,
        rolloutId: ROLLOUT_ID,
      })),
    });
    expect(rollout.when(report.done(x, at(9))).events).toEqual([
      { type: "RolloutDeviceSucceeded", data: { deviceId: x, via: "reported", at: at(9) } },
    ]);
    expect(whyNotUpdated(rollout.state, later)?.reason).toBe("aborted");
    expect(whyNotUpdated(rollout.state, y)?.reason).toBe("cancelled");
  });

  it("rollback sends updated and updating devices back to their own previous revision", () => {
    const older = { fleet: "fleet-a", number: 5 };
    const fleet = [
      aDevice("a"),
      aDevice("b", { currentRevision: older }),
      aDevice("c", { currentRevision: null }),
      aDevice("d"),
    ];
    const rollout = aRollout({
      definition: aDefinition({ waves: [aWave({ size: { percent: 100 } })] }),
      devices: fleet,
    });
    rollout.when(report.done("a", at(2)));
    rollout.when(report.progress("b", "DOWNLOADING", at(2)));
    rollout.when(report.progress("c", "TESTING", at(2)));
    const rolledBack = rollout.when({
      type: "RollbackRollout",
      actor: OPERATOR,
      reason: "battery drain",
      now: at(3),
    });
    expect(rolledBack.events).toEqual([
      {
        type: "RolloutRollbackStarted",
        data: {
          actor: OPERATOR,
          reason: "battery drain",
          at: at(3),
          rollbackRollouts: [
            { rolloutId: "r-1-rollback-1", revision: older, deviceIds: ["b"] },
            { rolloutId: "r-1-rollback-2", revision: PREVIOUS, deviceIds: ["a"] },
          ],
          withoutPreviousRevision: ["c"],
        },
      },
      { type: "RolloutTargetsCancelled", data: { deviceIds: ["d"], at: at(3) } },
    ]);
    expect(rolledBack.commands.map((c) => c.type)).toEqual([
      "CancelTarget",
      "StartRollbackRollout",
      "StartRollbackRollout",
    ]);
    expect(rolledBack.commands[2]).toMatchObject({
      rolloutId: "r-1-rollback-2",
      rollbackOf: ROLLOUT_ID,
      definition: {
        revision: PREVIOUS,
        selector: { ids: ["a"] },
        policy: { onFailure: "pause", onSuccess: "next" },
      },
    });
  });
});
