import type { ProgressReport } from "@statecast/contract";
import type { RecordedEvent } from "@statecast/events";
import { type DevicePlaneState, evolveDevicePlane, initialDevicePlane } from "./device-plane.js";
import { decideHeartbeat, decideOffline, decideReport } from "./device-report.decider.js";

/** DeviceEnrolled as the catalog has it. */
const ENROLLED = {
  deviceId: "d1",
  publicKey: "UDEVICEKEY",
  fleet: "main",
  tags: {},
  enrolledWith: "approval",
};

const R1 = { fleet: "fleet", number: 1 };
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
    metadata: {
      correlationId: "c",
      causationId: "c",
      actor: "system:test",
      now: "2026-01-01T00:00:00Z",
    },
    recordedAt: new Date(0),
    transactionId: 1n,
  };
}

function aDevice(...events: [string, Record<string, unknown>][]): DevicePlaneState {
  const all: [string, Record<string, unknown>][] = [["DeviceEnrolled", ENROLLED], ...events];
  return all
    .map(([t, d], i) => recorded(t, d, i + 1))
    .reduce(evolveDevicePlane, initialDevicePlane());
}

function aReport(overrides: Partial<ProgressReport> = {}): ProgressReport {
  return {
    deviceId: "d1",
    bootId: "boot-a",
    seq: 1,
    revision: R2,
    status: "QUEUED",
    progress: 5,
    message: "queued",
    at: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}

const targeted = ["TargetAssigned", { revision: R2, seq: 1, digest: "0".repeat(64) }] as [
  string,
  Record<string, unknown>,
];
const progressed = (bootId: string, seq: number): [string, Record<string, unknown>] => [
  "UpdateProgressReported",
  { bootId, seq, revision: R2, status: "DOWNLOADING", progress: 25 },
];

describe("decideReport", () => {
  it("keeps the transfer counters (needed, delta, resumed) when the agent sends them", () => {
    const downloads = { totalBytes: 40, fetchedBytes: 40, objects: 1, objectsFetched: 1 };
    const old = decideReport(aReport({ status: "DOWNLOADING", downloads }), aDevice(targeted));
    expect(old).toMatchObject({
      event: { data: { downloads: { total: 40, done: 40, objects: 1 } } },
    });
    expect(old.kind === "apply" && old.event.data).toMatchObject({ downloads: { total: 40 } });
    expect(old.kind === "apply" && (old.event.data as { downloads: object }).downloads).toEqual({
      total: 40,
      done: 40,
      objects: 1,
    });
    const transfer = {
      ...downloads,
      neededBytes: 9000,
      deltaBytes: 40,
      resumedBytes: 0,
      deltaObjects: 1,
    };
    const verdict = decideReport(
      aReport({ status: "DOWNLOADING", downloads: transfer }),
      aDevice(targeted),
    );
    expect(verdict).toMatchObject({
      event: {
        data: {
          downloads: { total: 40, done: 40, objects: 1, needed: 9000, delta: 40, resumed: 0 },
        },
      },
    });
  });

  it("turns an in-flight report for the target into UpdateProgressReported", () => {
    const verdict = decideReport(aReport(), aDevice(targeted));
    expect(verdict).toEqual({
      kind: "apply",
      event: {
        type: "UpdateProgressReported",
        data: {
          bootId: "boot-a",
          seq: 1,
          revision: R2,
          status: "QUEUED",
          progress: 5,
          message: "queued",
        },
      },
    });
  });

  it("drops a duplicate and a lower seq of the same boot", () => {
    const state = aDevice(targeted, progressed("boot-a", 3));
    expect(decideReport(aReport({ seq: 3 }), state)).toMatchObject({
      kind: "drop",
      reason: "duplicate",
    });
    expect(decideReport(aReport({ seq: 2 }), state)).toMatchObject({
      kind: "drop",
      reason: "stale",
    });
    expect(decideReport(aReport({ seq: 4 }), state).kind).toBe("apply");
  });

  it("treats an unseen boot as later and an earlier boot as stale", () => {
    const state = aDevice(targeted, progressed("boot-a", 9), progressed("boot-b", 1));
    expect(decideReport(aReport({ bootId: "boot-a", seq: 10 }), state)).toMatchObject({
      kind: "drop",
      reason: "stale",
    });
    expect(decideReport(aReport({ bootId: "boot-c", seq: 1 }), state).kind).toBe("apply");
  });

  it("refuses a report for a revision the device was not targeted with", () => {
    expect(decideReport(aReport({ revision: R1 }), aDevice(targeted))).toMatchObject({
      kind: "drop",
      reason: "not_targeted",
    });
    expect(decideReport(aReport(), aDevice())).toMatchObject({ kind: "drop", reason: "no_target" });
    expect(decideReport(aReport(), initialDevicePlane())).toMatchObject({
      reason: "unknown_device",
    });
  });

  it("records one outcome per target, the cursor and the report's message included", () => {
    const message = "running; kernel 6.1.0-47-amd64";
    const done = decideReport(
      aReport({ seq: 5, status: "DONE", progress: 100, message }),
      aDevice(targeted),
    );
    expect(done).toEqual({
      kind: "apply",
      event: {
        type: "UpdateSucceeded",
        data: { revision: R2, status: "DONE", report: { bootId: "boot-a", seq: 5 }, message },
      },
    });
    const silent = decideReport(aReport({ status: "UPDATED", message: "" }), aDevice(targeted));
    expect(silent).toMatchObject({ event: { data: { status: "UPDATED" } } });
    expect(silent.kind === "apply" && "message" in silent.event.data).toBe(false);
    const after = aDevice(targeted, [
      "UpdateSucceeded",
      { revision: R2, status: "DONE", report: { bootId: "boot-a", seq: 5 } },
    ]);
    expect(decideReport(aReport({ seq: 4, status: "TESTING" }), after)).toMatchObject({
      reason: "stale",
    });
    expect(decideReport(aReport({ seq: 6, status: "DONE" }), after)).toMatchObject({
      reason: "settled",
    });
  });

  it("maps WONTGO to UpdateRejected and ERROR to UpdateFailed", () => {
    const state = aDevice(targeted);
    const wontgo = decideReport(aReport({ status: "WONTGO", reason: "signature_invalid" }), state);
    expect(wontgo).toMatchObject({ kind: "apply", event: { type: "UpdateRejected" } });
    const error = decideReport(aReport({ status: "ERROR", reason: "status_goal_timeout" }), state);
    expect(error).toMatchObject({ kind: "apply", event: { type: "UpdateFailed" } });
  });

  it("an ERROR after success on the target is a rollback to the previous revision", () => {
    const state = aDevice(
      ["TargetAssigned", { revision: R1, seq: 1 }],
      ["UpdateSucceeded", { revision: R1, status: "DONE" }],
      ["TargetAssigned", { revision: R2, seq: 2 }],
      ["UpdateSucceeded", { revision: R2, status: "DONE", report: { bootId: "boot-a", seq: 4 } }],
    );
    const verdict = decideReport(
      aReport({ seq: 5, status: "ERROR", reason: "container_exited" }),
      state,
    );
    expect(verdict).toEqual({
      kind: "apply",
      event: {
        type: "DeviceRolledBack",
        data: {
          from: R2,
          to: R1,
          reason: "container_exited",
          report: { bootId: "boot-a", seq: 5 },
        },
      },
    });
  });
});

describe("decideHeartbeat", () => {
  const beat = {
    kind: "heartbeat" as const,
    deviceId: "d1",
    bootId: "b",
    at: "2026-01-01T00:00:00Z",
  };
  it("is news only when the device was offline", () => {
    expect(decideHeartbeat(beat, aDevice())).toEqual({
      type: "DeviceCameOnline",
      data: { bootId: "b" },
    });
    expect(decideHeartbeat(beat, aDevice(["DeviceCameOnline", { bootId: "b" }]))).toBeNull();
    expect(decideHeartbeat(beat, initialDevicePlane())).toBeNull();
  });
});

describe("decideOffline", () => {
  it("is news only when the device was online", () => {
    const online = aDevice(["DeviceCameOnline", { bootId: "b" }]);
    expect(decideOffline(online, "2026-01-01T00:00:00Z")).toEqual({
      type: "DeviceWentOffline",
      data: { lastSeenAt: "2026-01-01T00:00:00Z" },
    });
    const offline = aDevice(
      ["DeviceCameOnline", { bootId: "b" }],
      ["DeviceWentOffline", { lastSeenAt: "x" }],
    );
    expect(decideOffline(offline, "2026-01-01T00:00:00Z")).toBeNull();
  });
});
