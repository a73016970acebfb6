import {
  aDefinition,
  aRollout,
  at,
  aWave,
  devices,
  ROLLOUT_ID,
  report,
  TARGET,
} from "./rollout.test-helper.js";

const SYSTEM = "system:rollout-process-manager";

describe("a wave passes only when its success gate holds", () => {
  const soaked = aDefinition({
    waves: [aWave({ soakSeconds: 600 }), aWave({ size: { percent: 100 } })],
  });

  it("does not pass when every device finished but none has soaked yet", () => {
    const rollout = aRollout({ definition: soaked });
    const [a, b] = rollout.membersOf(0) as [string, string];
    rollout.when(report.done(a, at(10)));
    expect(rollout.when(report.done(b, at(20)))).toEqual({
      events: [
        {
          type: "RolloutDeviceUpdated",
          data: { deviceId: b, reportedStatus: "DONE", soakUntil: at(620), at: at(20) },
        },
      ],
      commands: [
        {
          type: "ScheduleTimer",
          at: at(620),
          timer: { kind: "soak", rolloutId: ROLLOUT_ID, deviceId: b },
        },
      ],
    });
  });

  it("passes once the soak of enough devices elapsed, and starts the next wave", () => {
    const rollout = aRollout({ definition: soaked });
    const [a, b] = rollout.membersOf(0) as [string, string];
    const [c, d] = rollout.membersOf(1) as [string, string];
    rollout.when(report.done(a, at(10)));
    rollout.when(report.done(b, at(20)));
    expect(rollout.when({ type: "SoakTimerElapsed", deviceId: a, now: at(610) }).events).toEqual([
      { type: "RolloutDeviceSucceeded", data: { deviceId: a, via: "soaked", at: at(610) } },
    ]);
    expect(rollout.when({ type: "SoakTimerElapsed", deviceId: b, now: at(620) })).toEqual({
      events: [
        { type: "RolloutDeviceSucceeded", data: { deviceId: b, via: "soaked", at: at(620) } },
        {
          type: "WaveGatePassed",
          data: {
            waveIndex: 0,
            counts: { members: 2, finished: 2, succeeded: 2, failures: 0, lateFailures: 0 },
            at: at(620),
          },
        },
        { type: "WaveStarted", data: { waveIndex: 1, at: at(620) } },
        { type: "WaveTargetsAssigned", data: { waveIndex: 1, deviceIds: [c, d], at: at(620) } },
      ],
      commands: [
        {
          type: "AssignTarget",
          deviceId: c,
          revision: TARGET,
          rolloutId: ROLLOUT_ID,
          waveIndex: 1,
        },
        {
          type: "AssignTarget",
          deviceId: d,
          revision: TARGET,
          rolloutId: ROLLOUT_ID,
          waveIndex: 1,
        },
      ],
    });
  });

  it("passes with devices still in flight when the tolerated failures cover them", () => {
    const def = aDefinition({
      waves: [
        aWave({ size: { count: 10 }, minSample: 5, maxFailures: { percent: 20 } }),
        aWave({ size: { percent: 100 } }),
      ],
    });
    const rollout = aRollout({ definition: def, devices: devices(12) });
    const members = rollout.membersOf(0);
    for (const id of members.slice(0, 7)) rollout.when(report.done(id, at(10)));
    expect(rollout.last.events.map((e) => e.type)).toEqual(["RolloutDeviceSucceeded"]);
    rollout.when(report.done(members[7] as string, at(11)));
    expect(rollout.last.events.map((e) => e.type)).toEqual([
      "RolloutDeviceSucceeded",
      "WaveGatePassed",
      "WaveStarted",
      "WaveTargetsAssigned",
    ]);
  });

  it("counts devices already on the revision as done without assigning them anything", () => {
    const fleet = devices(4).map((d) => ({ ...d, currentRevision: TARGET }));
    const rollout = aRollout({ devices: fleet });
    expect(rollout.events.map((e) => e.type)).toEqual([
      "RolloutCreated",
      "RolloutStarted",
      "WaveStarted",
      "WaveGatePassed",
      "WaveStarted",
      "WaveGatePassed",
      "RolloutCompleted",
    ]);
    expect(rollout.last.commands).toEqual([]);
  });
});

describe("failure gate", () => {
  const wave10 = (maxFailures: { percent?: number; count?: number }, minSample: number) =>
    aDefinition({
      waves: [
        aWave({ size: { count: 10 }, minSample, maxFailures }),
        aWave({ size: { percent: 100 } }),
      ],
    });

  it("computes the failure rate over finished devices, not over the whole wave", () => {
    const rollout = aRollout({ definition: wave10({ percent: 20 }, 4), devices: devices(12) });
    const [a, b, c, d] = rollout.membersOf(0) as [string, string, string, string];
    for (const id of [a, b, c]) rollout.when(report.done(id, at(10)));
    expect(rollout.when(report.error(d, at(20))).events).toEqual([
      {
        type: "RolloutDeviceFailed",
        data: {
          deviceId: d,
          reason: "status_goal_timeout",
          late: false,
          countedInWave: 0,
          at: at(20),
          source: "error",
        },
      },
      {
        type: "WaveGateFailed",
        data: {
          waveIndex: 0,
          counts: { members: 10, finished: 4, succeeded: 3, failures: 1, lateFailures: 0 },
          reason: "1 of 4 finished devices failed (25%), above 20%",
          at: at(20),
        },
      },
      {
        type: "RolloutPaused",
        data: {
          actor: SYSTEM,
          reason: "wave 0 gate failed: 1 of 4 finished devices failed (25%), above 20%",
          cause: "gate_failed",
          at: at(20),
        },
      },
    ]);
  });

  it("decides nothing on the percentage before minSample devices finished", () => {
    const rollout = aRollout({ definition: wave10({ percent: 10 }, 5), devices: devices(12) });
    const [a, b] = rollout.membersOf(0) as [string, string];
    rollout.when(report.error(a, at(10)));
    expect(rollout.when(report.wontgo(b, at(11))).events).toEqual([
      {
        type: "RolloutDeviceRejected",
        data: { deviceId: b, reason: "no_space", late: false, countedInWave: 0, at: at(11) },
      },
    ]);
    expect(rollout.state.status).toBe("running");
  });

  it("trips on the absolute failure count at any time, even before minSample", () => {
    const rollout = aRollout({
      definition: wave10({ percent: 10, count: 1 }, 5),
      devices: devices(12),
    });
    const [a, b] = rollout.membersOf(0) as [string, string];
    rollout.when(report.error(a, at(10)));
    expect(rollout.when(report.wontgo(b, at(11))).events.slice(1, 2)).toEqual([
      {
        type: "WaveGateFailed",
        data: {
          waveIndex: 0,
          counts: { members: 10, finished: 2, succeeded: 0, failures: 2, lateFailures: 0 },
          reason: "2 failures exceed the cap of 1",
          at: at(11),
        },
      },
    ]);
  });

  it("fails a device that gives no result within the device timeout and cancels its target", () => {
    const rollout = aRollout({ definition: aDefinition({ deviceTimeoutSeconds: 300 }) });
    const [a] = rollout.membersOf(0) as [string];
    expect(rollout.last.commands).toContainEqual({
      type: "ScheduleTimer",
      at: at(301),
      timer: { kind: "device_timeout", rolloutId: ROLLOUT_ID, deviceId: a },
    });
    expect(
      rollout.when({ type: "DeviceTimeoutElapsed", deviceId: a, now: at(301) }).events[0],
    ).toEqual({
      type: "RolloutDeviceFailed",
      data: {
        deviceId: a,
        reason: "device_timeout",
        late: false,
        countedInWave: 0,
        at: at(301),
        source: "timeout",
      },
    });
    expect(rollout.last.commands).toEqual([
      { type: "CancelTarget", deviceId: a, revision: TARGET, rolloutId: ROLLOUT_ID },
    ]);
  });
});
