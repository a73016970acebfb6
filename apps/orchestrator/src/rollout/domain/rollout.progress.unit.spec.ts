import { rolloutAt, rolloutProgress } from "./rollout.progress.js";
import {
  aDefinition,
  aRollout,
  at,
  aWave,
  devices,
  OPERATOR,
  report,
} from "./rollout.test-helper.js";
import { devicesProgress, whyNotUpdated } from "./rollout.why.js";

const soaking = aDefinition({
  waves: [aWave({ size: { count: 4 }, soakSeconds: 600 }), aWave({ size: { percent: 100 } })],
});

describe("progress view", () => {
  it("gives per-wave counts, gate state and time in soak", () => {
    const rollout = aRollout({ definition: soaking, devices: devices(6) });
    const [a, b, c] = rollout.membersOf(0) as [string, string, string];
    rollout.when(report.done(a, at(100)));
    rollout.when(report.done(b, at(200)));
    rollout.when(report.progress(c, "DOWNLOADING", at(210)));
    const progress = rolloutProgress(rollout.state, at(400));
    expect(progress).toMatchObject({
      status: "running",
      currentWave: 0,
      devices: 6,
      etaSeconds: null,
    });
    expect(progress?.waves[0]).toMatchObject({
      status: "running",
      size: 4,
      counts: { soaking: 2, downloading: 1, assigned: 1, succeeded: 0 },
      gate: {
        state: "open",
        verdictNow: "pending",
        succeeded: 0,
        required: 4,
        finished: 2,
        failures: 0,
      },
      soak: {
        soakSeconds: 600,
        soakingDevices: 2,
        longestSoakingSeconds: 300,
        remainingSeconds: 400,
      },
    });
    expect(progress?.waves[1]).toMatchObject({
      status: "pending",
      size: 2,
      gate: { state: "not_started" },
      counts: { pending: 2 },
    });
  });

  it("counts each wave's own soaking devices and every failure, in one view", () => {
    const rollout = aRollout({
      definition: aDefinition({
        waves: [
          aWave({ size: { count: 2 }, soakSeconds: 60 }),
          aWave({ size: { percent: 100 }, soakSeconds: 600 }),
        ],
      }),
      devices: devices(6),
    });
    const [a, b] = rollout.membersOf(0) as [string, string];
    rollout.when(report.done(a, at(10)));
    rollout.when(report.done(b, at(20)));
    rollout.when({ type: "SoakTimerElapsed", deviceId: a, now: at(70) });
    rollout.when({ type: "SoakTimerElapsed", deviceId: b, now: at(80) });
    const [c, d, e, f] = rollout.membersOf(1) as [string, string, string, string];
    rollout.when(report.done(c, at(100)));
    rollout.when(report.done(d, at(150)));
    rollout.when(report.wontgo(e, at(160), "signature_invalid"));
    rollout.when(report.progress(f, "DOWNLOADING", at(170)));
    const progress = rolloutProgress(rollout.state, at(200));
    expect(progress?.waves.map((w) => w.soak)).toEqual([
      { soakSeconds: 60, soakingDevices: 0, longestSoakingSeconds: 0, remainingSeconds: 0 },
      { soakSeconds: 600, soakingDevices: 2, longestSoakingSeconds: 100, remainingSeconds: 550 },
    ]);
    expect(progress?.failures).toEqual([
      expect.objectContaining({
        outcome: "rejected",
        reason: "signature_invalid",
        count: 1,
        devices: [e],
      }),
    ]);
  });

  it("estimates the time left from the pace of closed waves", () => {
    const rollout = aRollout({
      definition: aDefinition({ waves: [aWave(), aWave(), aWave({ size: { percent: 100 } })] }),
      devices: devices(6),
    });
    for (const id of rollout.membersOf(0)) rollout.when(report.done(id, at(61)));
    expect(rolloutProgress(rollout.state, at(71))?.etaSeconds).toBe(110);
    for (const wave of [1, 2])
      for (const id of rollout.membersOf(wave)) rollout.when(report.done(id, at(200)));
    expect(rolloutProgress(rollout.state, at(300))).toMatchObject({
      status: "completed",
      etaSeconds: 0,
    });
  });

  it("explains why each device is not updated yet", () => {
    const rollout = aRollout({ definition: soaking, devices: devices(8) });
    const [a, b, c, d] = rollout.membersOf(0) as [string, string, string, string];
    const [later] = rollout.membersOf(1) as [string];
    const why = (id: string) => whyNotUpdated(rollout.state, id)?.reason;
    expect(why(later)).toBe("not_in_wave_yet");
    rollout.when(report.done(a, at(10)));
    rollout.when(report.progress(b, "TESTING", at(10)));
    rollout.when({ type: "DeviceWentOffline", deviceId: c, now: at(10) });
    rollout.when(report.wontgo(d, at(11), "signature_invalid"));
    expect([a, b, c, d, later].map(why)).toEqual([
      "soaking",
      "testing",
      "offline",
      "rejected:signature_invalid",
      "paused",
    ]);
    expect(whyNotUpdated(rollout.state, "stranger")).toBeNull();
    rollout.when({ type: "ResumeRollout", actor: OPERATOR, now: at(12) });
    rollout.when(report.error(b, at(13), "status_goal_timeout"));
    rollout.when({ type: "DeviceCameOnline", deviceId: c, now: at(14) });
    // resuming overrode the failed canary gate, so the next wave got its targets
    expect([b, c, later].map(why)).toEqual(["failed:status_goal_timeout", "queued", "queued"]);
    rollout.when({ type: "SoakTimerElapsed", deviceId: a, now: at(610) });
    expect(why(a)).toBe("updated");
    expect(devicesProgress(rollout.state)).toHaveLength(8);
  });

  it("rolloutAt replays the stream up to an instant", () => {
    const rollout = aRollout({ definition: soaking, devices: devices(6) });
    const [a] = rollout.membersOf(0) as [string];
    rollout.when(report.done(a, at(100)));
    rollout.when({ type: "PauseRollout", actor: OPERATOR, now: at(200) });
    expect(rolloutAt(rollout.events, at(0.5)).status).toBe("created");
    const before = rolloutAt(rollout.events, at(150));
    expect(before.status).toBe("running");
    expect(whyNotUpdated(before, a)?.reason).toBe("soaking");
    expect(rolloutAt(rollout.events, at(200)).status).toBe("paused");
    expect(rolloutAt(rollout.events, "2020-01-01T00:00:00Z")).toEqual({ status: "none" });
  });
});
