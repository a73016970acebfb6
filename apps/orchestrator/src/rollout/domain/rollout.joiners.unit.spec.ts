import { IllegalStateError } from "@statecast/events";
import { findConflicts } from "./rollout.conflicts.js";
import type { DeviceJoinedSelector } from "./rollout.inputs.js";
import {
  aDevice,
  aRollout,
  at,
  devices,
  OPERATOR,
  ROLLOUT_ID,
  report,
  TARGET,
} from "./rollout.test-helper.js";
import { whyNotUpdated } from "./rollout.why.js";

const joins = (
  deviceId: string,
  now: string,
  overrides: Partial<DeviceJoinedSelector> = {},
): DeviceJoinedSelector => ({
  type: "DeviceJoinedSelector",
  device: aDevice(deviceId),
  heldBy: null,
  now,
  ...overrides,
});

describe("devices joining the selector mid-rollout", () => {
  it("land in the last wave, unassigned while that wave has not started", () => {
    const rollout = aRollout();
    expect(rollout.when(joins("new-1", at(5)))).toEqual({
      events: [
        {
          type: "DeviceJoinedRollout",
          data: {
            deviceId: "new-1",
            waveIndex: 1,
            currentRevision: aDevice("x").currentRevision,
            online: true,
            at: at(5),
          },
        },
      ],
      commands: [],
    });
    for (const id of rollout.membersOf(0)) rollout.when(report.done(id, at(6)));
    expect(rollout.last.events.at(-1)).toEqual({
      type: "WaveTargetsAssigned",
      data: { waveIndex: 1, deviceIds: [...rollout.membersOf(1), "new-1"], at: at(6) },
    });
  });

  it("get their target at once when the last wave is running", () => {
    const rollout = aRollout();
    for (const id of rollout.membersOf(0)) rollout.when(report.done(id, at(6)));
    expect(rollout.when(joins("new-1", at(7))).commands).toEqual([
      {
        type: "AssignTarget",
        deviceId: "new-1",
        revision: TARGET,
        rolloutId: ROLLOUT_ID,
        waveIndex: 1,
      },
    ]);
  });

  it("joining a paused rollout get their target on resume", () => {
    const rollout = aRollout();
    for (const id of rollout.membersOf(0)) rollout.when(report.done(id, at(6)));
    rollout.when({ type: "PauseRollout", actor: OPERATOR, now: at(7) });
    expect(rollout.when(joins("new-1", at(8))).commands).toEqual([]);
    expect(rollout.when({ type: "ResumeRollout", actor: OPERATOR, now: at(9) }).commands).toEqual([
      {
        type: "AssignTarget",
        deviceId: "new-1",
        revision: TARGET,
        rolloutId: ROLLOUT_ID,
        waveIndex: 1,
      },
    ]);
  });

  it("already on the revision get no target and count as done in the last wave's gate", () => {
    const rollout = aRollout();
    for (const id of rollout.membersOf(0)) rollout.when(report.done(id, at(6)));
    const onTarget = aDevice("new-2", { currentRevision: TARGET });
    expect(rollout.when(joins("new-2", at(7), { device: onTarget }))).toEqual({
      events: [
        {
          type: "DeviceJoinedRollout",
          data: {
            deviceId: "new-2",
            waveIndex: 1,
            currentRevision: TARGET,
            online: true,
            at: at(7),
          },
        },
      ],
      commands: [],
    });
    expect(whyNotUpdated(rollout.state, "new-2")?.reason).toBe("already_on_revision");
    for (const id of rollout.membersOf(1)) rollout.when(report.done(id, at(8)));
    expect(rollout.last.events.at(-2)).toEqual({
      type: "WaveGatePassed",
      data: {
        waveIndex: 1,
        counts: { members: 3, finished: 3, succeeded: 3, failures: 0, lateFailures: 0 },
        at: at(8),
      },
    });
  });

  it("held by another rollout, or arriving after the rollout ended, do not join", () => {
    const rollout = aRollout();
    expect(rollout.when(joins("new-1", at(5), { heldBy: "r-0" }))).toEqual({
      events: [],
      commands: [],
    });
    rollout.when({ type: "AbortRollout", actor: OPERATOR, now: at(6) });
    expect(rollout.when(joins("new-2", at(7)))).toEqual({ events: [], commands: [] });
  });

  it("a device already in the rollout does not join twice", () => {
    const rollout = aRollout();
    expect(rollout.when(joins(rollout.membersOf(0)[0] as string, at(5)))).toEqual({
      events: [],
      commands: [],
    });
  });
});

describe("one rollout at a time per device", () => {
  it("findConflicts names the rollout holding each shared device", () => {
    expect(
      findConflicts(
        ["a", "b", "c", "b"],
        [
          { rolloutId: "r-0", deviceIds: ["b", "x"] },
          { rolloutId: "r-9", deviceIds: ["c"] },
        ],
      ),
    ).toEqual([
      { deviceId: "b", rolloutId: "r-0" },
      { deviceId: "c", rolloutId: "r-9" },
    ]);
    expect(findConflicts(["a"], [{ rolloutId: "r-0", deviceIds: ["b"] }])).toEqual([]);
  });

  it("start is refused with the conflicting rollout named", () => {
    const rollout = aRollout({ start: false, id: "r-2" });
    const start = {
      type: "StartRollout" as const,
      devices: devices(4),
      activeRollouts: [{ rolloutId: "r-1", deviceIds: ["dev-001", "dev-003", "zzz"] }],
      actor: OPERATOR,
      now: at(1),
    };
    expect(() => rollout.when(start)).toThrow(IllegalStateError);
    expect(() => rollout.when(start)).toThrow(
      "cannot start rollout r-2: rollout r-1 already holds 2 device(s): dev-001, dev-003",
    );
    expect(rollout.state.status).toBe("created");
  });

  it("a rollout's own claim does not conflict with itself", () => {
    const rollout = aRollout({ start: false });
    const claim = { rolloutId: ROLLOUT_ID, deviceIds: ["dev-000"] };
    rollout.when({
      type: "StartRollout",
      devices: devices(4),
      activeRollouts: [claim],
      actor: OPERATOR,
      now: at(1),
    });
    expect(rollout.state.status).toBe("running");
  });
});
