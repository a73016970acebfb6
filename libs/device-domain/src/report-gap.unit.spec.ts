import type { RecordedEvent } from "@statecast/events";
import { type DevicePlaneState, evolveDevicePlane, initialDevicePlane } from "./device-plane.js";
import { gapBefore, gapSeqs } from "./report-gap.js";

const R2 = { fleet: "fleet", number: 2 };

function recorded(type: string, data: Record<string, unknown>, version: number): RecordedEvent {
  return {
    globalPosition: BigInt(version),
    streamId: "device:d1",
    streamVersion: version,
    eventId: `e${version}`,
    type,
    schemaVersion: 1,
    data,
    metadata: { correlationId: "c", causationId: "c", actor: "system:test", now: "2026-01-01" },
    recordedAt: new Date(0),
    transactionId: 1n,
  };
}

/** An enrolled, targeted device that applied the reports `(bootId, seq)` given, in order. */
function aDevice(...applied: [string, number][]): DevicePlaneState {
  const enrolled = {
    deviceId: "d1",
    publicKey: "UKEY",
    fleet: "fleet",
    tags: {},
    enrolledWith: "approval",
  };
  const events: [string, Record<string, unknown>][] = [
    ["DeviceEnrolled", enrolled],
    ["TargetAssigned", { revision: R2, seq: 1, digest: "0".repeat(64) }],
    ...applied.map(([bootId, seq]): [string, Record<string, unknown>] => [
      "UpdateProgressReported",
      { bootId, seq, revision: R2, status: "DOWNLOADING", progress: 25 },
    ]),
  ];
  return events
    .map(([t, d], i) => recorded(t, d, i + 1))
    .reduce(evolveDevicePlane, initialDevicePlane());
}

describe("gapBefore", () => {
  it("finds none for the next report of the boot, a duplicate or a stale one", () => {
    const state = aDevice(["boot-a", 3]);
    for (const seq of [1, 3, 4]) expect(gapBefore({ bootId: "boot-a", seq }, state)).toBeNull();
  });

  it("names the seqs a report of the same boot came ahead of", () => {
    const gap = gapBefore({ bootId: "boot-a", seq: 7 }, aDevice(["boot-a", 3]));
    expect(gap).toEqual({ bootId: "boot-a", from: 4, to: 6 });
    expect(gapSeqs(gap!)).toBe("4-6");
    expect(gapSeqs({ bootId: "boot-a", from: 4, to: 4 })).toBe("4");
  });

  it("counts from a later report acked without an event (dropped on purpose) of the same boot", () => {
    const state = aDevice(["boot-a", 3]);
    expect(gapBefore({ bootId: "boot-a", seq: 6 }, state, { bootId: "boot-a", seq: 5 })).toBeNull();
    expect(gapBefore({ bootId: "boot-a", seq: 6 }, state, { bootId: "boot-x", seq: 5 })).toEqual({
      bootId: "boot-a",
      from: 4,
      to: 5,
    });
  });

  it("holds a new boot's report until its seq 1 came, on a device that never reported too", () => {
    for (const state of [aDevice(["boot-a", 3]), aDevice()]) {
      expect(gapBefore({ bootId: "boot-b", seq: 1 }, state)).toBeNull();
      expect(gapBefore({ bootId: "boot-b", seq: 3 }, state)).toEqual({
        bootId: "boot-b",
        from: 1,
        to: 2,
      });
      const consumed = { bootId: "boot-b", seq: 2 };
      expect(gapBefore({ bootId: "boot-b", seq: 3 }, state, consumed)).toBeNull();
    }
  });

  it("finds none for an earlier boot: it is stale", () => {
    const state = aDevice(["boot-a", 9], ["boot-b", 1]);
    expect(gapBefore({ bootId: "boot-a", seq: 20 }, state)).toBeNull();
  });
});
