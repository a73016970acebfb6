import type { DeviceHealthReported } from "./rollout.inputs.js";
import { aDefinition, aRollout, at, aWave, report, TARGET } from "./rollout.test-helper.js";
import { whyNotUpdated } from "./rollout.why.js";

const SYSTEM = "system:rollout-process-manager";
const soaked = aDefinition({
  waves: [aWave({ soakSeconds: 600 }), aWave({ size: { percent: 100 } })],
});

const health = (
  deviceId: string,
  kind: DeviceHealthReported["kind"],
  now: string,
): DeviceHealthReported => ({
  type: "DeviceHealthReported",
  deviceId,
  revision: TARGET,
  kind,
  part: "app",
  count: 3,
  now,
});

describe("health after commit (DESIGN §6: a device succeeds only after its soak)", () => {
  it("a crash during the soak fails the device, the gate, and pauses the rollout", () => {
    const rollout = aRollout({ definition: soaked });
    const [a, b] = rollout.membersOf(0) as [string, string];
    rollout.when(report.done(a, at(10)));
    rollout.when(report.done(b, at(20)));
    expect(rollout.when(health(a, "container_exited", at(30))).events).toEqual([
      {
        type: "RolloutDeviceFailed",
        data: {
          deviceId: a,
          reason: "crashed_during_soak",
          late: false,
          countedInWave: 0,
          at: at(30),
          source: "health",
        },
      },
      {
        type: "WaveGateFailed",
        data: {
          waveIndex: 0,
          counts: { members: 2, finished: 2, succeeded: 0, failures: 1, lateFailures: 0 },
          reason: "1 failures exceed the cap of 0",
          at: at(30),
        },
      },
      {
        type: "RolloutPaused",
        data: {
          actor: SYSTEM,
          reason: "wave 0 gate failed: 1 failures exceed the cap of 0",
          cause: "gate_failed",
          at: at(30),
        },
      },
    ]);
    expect(whyNotUpdated(rollout.state, a)?.reason).toBe("failed:crashed_during_soak");
    // the soak timer of the failed device decides nothing any more
    expect(rollout.when({ type: "SoakTimerElapsed", deviceId: a, now: at(610) }).events).toEqual(
      [],
    );
  });

  it.each([
    ["container_restarted", "crashed_during_soak"],
    ["status_goal_lost", "status_goal_lost_during_soak"],
    ["board_rebooted", "rebooted_during_soak"],
  ] as const)("%s during the soak is failure %s", (kind, reason) => {
    const rollout = aRollout({ definition: soaked });
    const [a] = rollout.membersOf(0) as [string];
    rollout.when(report.done(a, at(10)));
    expect(rollout.when(health(a, kind, at(30))).events[0]).toMatchObject({
      type: "RolloutDeviceFailed",
      data: { deviceId: a, reason, source: "health" },
    });
  });

  it("an agent restart during the soak is not a failure (its containers kept running)", () => {
    const rollout = aRollout({ definition: soaked });
    const [a] = rollout.membersOf(0) as [string];
    rollout.when(report.done(a, at(10)));
    expect(rollout.when(health(a, "agent_restarted", at(30))).events).toEqual([]);
    expect(rollout.when({ type: "SoakTimerElapsed", deviceId: a, now: at(610) }).events[0]).toEqual(
      { type: "RolloutDeviceSucceeded", data: { deviceId: a, via: "soaked", at: at(610) } },
    );
  });

  it("decides nothing for a device past its soak, before its update, or on another revision", () => {
    const rollout = aRollout({ definition: soaked });
    const [a, b] = rollout.membersOf(0) as [string, string];
    rollout.when(report.done(a, at(10)));
    rollout.when({ type: "SoakTimerElapsed", deviceId: a, now: at(610) });
    expect(rollout.when(health(a, "container_exited", at(620))).events).toEqual([]);
    expect(rollout.when(health(b, "container_exited", at(621))).events).toEqual([]);
    rollout.when(report.done(b, at(630)));
    const other = { ...health(b, "container_exited", at(640)), revision: { ...TARGET, number: 6 } };
    expect(rollout.when(other).events).toEqual([]);
  });

  it("a device that installs another revision by bundle is drifted: failed:drifted, never re-targeted", () => {
    const rollout = aRollout({ definition: soaked });
    const [a, b] = rollout.membersOf(0) as [string, string];
    rollout.when(report.done(a, at(10)));
    const drifted = rollout.when({
      type: "DeviceDrifted",
      deviceId: a,
      running: { ...TARGET, number: 99 },
      now: at(20),
    });
    expect(drifted.events[0]).toEqual({
      type: "RolloutDeviceFailed",
      data: {
        deviceId: a,
        reason: "drifted",
        late: false,
        countedInWave: 0,
        at: at(20),
        source: "drift",
      },
    });
    expect(drifted.commands.filter((c) => c.type === "AssignTarget")).toEqual([]);
    expect(whyNotUpdated(rollout.state, a)?.reason).toBe("failed:drifted");
    // a bundle of the rollout's own revision is no drift
    rollout.when(report.done(b, at(30)));
    expect(
      rollout.when({ type: "DeviceDrifted", deviceId: b, running: TARGET, now: at(40) }).events,
    ).toEqual([]);
  });
});
