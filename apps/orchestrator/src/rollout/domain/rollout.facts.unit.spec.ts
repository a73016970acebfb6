import { ValidationError } from "@statecast/events";
import {
  aDefinition,
  aRollout,
  at,
  aWave,
  ROLLOUT_ID,
  report,
  TARGET,
} from "./rollout.test-helper.js";

const nothing = { events: [], commands: [] };

describe("device facts", () => {
  it("record progress once per status change", () => {
    const rollout = aRollout();
    const [a] = rollout.membersOf(0) as [string];
    expect(
      rollout.when({ type: "TargetAcknowledged", deviceId: a, revision: TARGET, now: at(2) })
        .events,
    ).toEqual([
      { type: "RolloutDeviceProgressed", data: { deviceId: a, status: "queued", at: at(2) } },
    ]);
    expect(rollout.when(report.progress(a, "DOWNLOADING", at(3))).events).toEqual([
      { type: "RolloutDeviceProgressed", data: { deviceId: a, status: "downloading", at: at(3) } },
    ]);
    expect(rollout.when(report.progress(a, "DOWNLOADING", at(4)))).toEqual(nothing);
    expect(rollout.when(report.progress(a, "INPROGRESS", at(5))).events).toEqual([
      { type: "RolloutDeviceProgressed", data: { deviceId: a, status: "installing", at: at(5) } },
    ]);
  });

  it("ignore duplicates, other revisions, devices outside the rollout and unassigned devices", () => {
    const rollout = aRollout();
    const [a] = rollout.membersOf(0) as [string];
    const [later] = rollout.membersOf(1) as [string];
    rollout.when(report.done(a, at(2)));
    expect(rollout.when(report.done(a, at(3)))).toEqual(nothing);
    expect(
      rollout.when({ ...report.error(a, at(4)), revision: { fleet: "fleet-a", number: 99 } }),
    ).toEqual(nothing);
    expect(rollout.when(report.done("stranger", at(5)))).toEqual(nothing);
    expect(rollout.when(report.done(later, at(6)))).toEqual(nothing);
    expect(
      rollout.when({ type: "TargetAcknowledged", deviceId: a, revision: TARGET, now: at(7) }),
    ).toEqual(nothing);
  });

  it("before the rollout started change nothing", () => {
    expect(aRollout({ start: false }).when(report.done("dev-000", at(2)))).toEqual(nothing);
  });

  it("track offline devices only while they still have work to do", () => {
    const rollout = aRollout();
    const [a, b] = rollout.membersOf(0) as [string, string];
    expect(rollout.when({ type: "DeviceWentOffline", deviceId: a, now: at(2) }).events).toEqual([
      { type: "RolloutDeviceWentOffline", data: { deviceId: a, at: at(2) } },
    ]);
    expect(rollout.when({ type: "DeviceWentOffline", deviceId: a, now: at(3) })).toEqual(nothing);
    expect(rollout.when({ type: "DeviceCameOnline", deviceId: a, now: at(4) }).events).toEqual([
      { type: "RolloutDeviceCameOnline", data: { deviceId: a, at: at(4) } },
    ]);
    rollout.when(report.done(b, at(5)));
    expect(rollout.when({ type: "DeviceWentOffline", deviceId: b, now: at(6) })).toEqual(nothing);
  });

  it("a soak timer delivered early is scheduled again for the end of the soak", () => {
    const rollout = aRollout({
      definition: aDefinition({
        waves: [aWave({ soakSeconds: 100 }), aWave({ size: { percent: 100 } })],
      }),
    });
    const [a] = rollout.membersOf(0) as [string];
    rollout.when(report.done(a, at(10)));
    expect(rollout.when({ type: "SoakTimerElapsed", deviceId: a, now: at(50) })).toEqual({
      events: [],
      commands: [
        {
          type: "ScheduleTimer",
          at: at(110),
          timer: { kind: "soak", rolloutId: ROLLOUT_ID, deviceId: a },
        },
      ],
    });
  });

  it("an ERROR during the soak fails the device in its own wave", () => {
    const rollout = aRollout({
      definition: aDefinition({
        waves: [aWave({ soakSeconds: 100 }), aWave({ size: { percent: 100 } })],
      }),
    });
    const [a] = rollout.membersOf(0) as [string];
    rollout.when(report.done(a, at(10)));
    expect(rollout.when(report.error(a, at(20), "container_exited")).events[0]).toEqual({
      type: "RolloutDeviceFailed",
      data: {
        deviceId: a,
        reason: "container_exited",
        late: false,
        countedInWave: 0,
        at: at(20),
        source: "error",
      },
    });
  });

  it("refuse an input without a valid instant", () => {
    expect(() => aRollout().when(report.done("dev-000", "yesterday"))).toThrow(ValidationError);
  });

  it("a device whose target was cancelled but which finished anyway is recorded as it is", () => {
    const rollout = aRollout();
    const [a, b] = rollout.membersOf(0) as [string, string];
    rollout.when({ type: "AbortRollout", actor: "operator:ada", now: at(2) });
    expect(rollout.when(report.done(a, at(3))).events).toEqual([
      { type: "RolloutDeviceSucceeded", data: { deviceId: a, via: "reported", at: at(3) } },
    ]);
    expect(rollout.when(report.wontgo(b, at(4), "target_expired")).events).toEqual([
      {
        type: "RolloutDeviceRejected",
        data: {
          deviceId: b,
          reason: "target_expired",
          late: false,
          countedInWave: 0,
          at: at(4),
        },
      },
    ]);
  });

  it("a device that rolls itself back while testing fails in its own wave", () => {
    const rollout = aRollout();
    const [a] = rollout.membersOf(0) as [string];
    rollout.when(report.progress(a, "TESTING", at(2)));
    const rolledBack = {
      type: "DeviceRolledBack" as const,
      deviceId: a,
      revision: TARGET,
      reason: "boot_failed",
      now: at(3),
    };
    expect(rollout.when(rolledBack).events[0]).toEqual({
      type: "RolloutDeviceFailed",
      data: {
        deviceId: a,
        reason: "boot_failed",
        late: false,
        countedInWave: 0,
        at: at(3),
        source: "rolled_back",
      },
    });
    expect(rollout.when({ ...rolledBack, now: at(4) })).toEqual(nothing);
  });
});
