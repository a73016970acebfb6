import type { ProgressReport } from "@statecast/contract";
import { DeviceEvents } from "@statecast/events";
import { type DeviceStreamEvent, foldDevice, isDecommissioned, isEnrolled } from "./device.js";
import { decideHeartbeat, decideReport } from "./device-report.decider.js";

const R1 = { fleet: "main", number: 1 };
const R2 = { fleet: "main", number: 2 };
let version = 0;
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
/** A recorded event, its data checked against the catalog (what a real stream holds). */
function recorded(type: keyof typeof DeviceEvents, data: unknown, minute = 0): DeviceStreamEvent {
  const definition = DeviceEvents[type];
  if (!("schema" in definition)) throw new Error(`${type} is no event definition`);
  version += 1;
  return {
    type,
    data: definition.schema.parse(data),
    recordedAt: at(minute),
    streamVersion: version,
  };
}

const enrolled = () =>
  recorded("DeviceEnrolled", {
    deviceId: "d1",
    publicKey: `U${"A".repeat(55)}`,
    fleet: "main",
    tags: { site: "a" },
    enrolledWith: "approval",
  });
const assigned = (revision: typeof R1, seq: number) =>
  recorded("TargetAssigned", { revision, digest: "d".repeat(64), seq, rolloutId: "r1" }, 2);

describe("the device aggregate: one evolve, each side reading what it needs", () => {
  beforeEach(() => {
    version = 0;
  });

  it("holds what the registry shows and what the report deciders need, from one stream", () => {
    const device = foldDevice("d1", [
      enrolled(),
      recorded("DeviceApproved", { by: "operator:ann" }, 1),
      assigned(R1, 1),
      recorded(
        "UpdateSucceeded",
        { revision: R1, status: "DONE", report: { bootId: "b1", seq: 4 } },
        3,
      ),
      assigned(R2, 2),
      recorded(
        "UpdateProgressReported",
        {
          bootId: "b1",
          seq: 5,
          revision: R2,
          status: "DOWNLOADING",
          progress: 10,
          downloads: { total: 100, done: 40 },
        },
        4,
      ),
    ]);
    // the registry's view
    expect(device).toMatchObject({
      deviceId: "d1",
      approval: "approved",
      enrolledAt: at(0).toISOString(),
      currentRevision: R1,
      target: { revision: R2, seq: 2, rolloutId: "r1", cancelled: false },
      lastStatus: "DOWNLOADING",
      online: true,
      lastSeenAt: at(4).toISOString(),
      transfer: { last: { revision: R2, needed: 100, fetched: 40 } },
      version: 6,
    });
    // the device plane's view
    expect(isEnrolled(device)).toBe(true);
    expect(isDecommissioned(device)).toBe(false);
    expect(device).toMatchObject({
      cursor: { bootId: "b1", seq: 5 },
      boots: ["b1"],
      outcome: null,
    });
  });

  it("keeps a cancelled target for the deciders (a late report of it still counts) and withdraws it on decommissioning", () => {
    const stream = [
      enrolled(),
      assigned(R1, 1),
      recorded("TargetCancelled", { revision: R1, seq: 1, reason: "withdrawn" }, 3),
    ];
    const cancelled = foldDevice("d1", stream);
    expect(cancelled).toMatchObject({
      target: { revision: R1, cancelled: true },
      lastStatus: "CANCELLED",
    });
    const late: ProgressReport = {
      deviceId: "d1",
      bootId: "b1",
      seq: 1,
      revision: R1,
      status: "DOWNLOADING",
      progress: 5,
      message: "downloading",
      at: at(4).toISOString(),
    };
    expect(decideReport(late, cancelled).kind).toBe("apply");
    const gone = foldDevice("d1", [
      ...stream,
      recorded("DeviceDecommissioned", { reason: "broken" }, 5),
    ]);
    expect(decideReport(late, gone)).toMatchObject({ kind: "drop", reason: "decommissioned" });
  });

  it("decides presence on presence events only, while a report shows the device online", () => {
    const reported = foldDevice("d1", [
      enrolled(),
      recorded("DeviceCameOnline", { bootId: "b1" }, 1),
      recorded("DeviceWentOffline", { lastSeenAt: at(2).toISOString() }, 3),
      assigned(R1, 1),
      recorded(
        "UpdateFailed",
        {
          revision: R1,
          reason: "container_exited",
          message: "app exited",
          report: { bootId: "b1", seq: 2 },
        },
        4,
      ),
    ]);
    expect(reported).toMatchObject({ online: true, announcedOnline: false, outcome: "ERROR" });
    const beat = {
      kind: "heartbeat" as const,
      deviceId: "d1",
      bootId: "b1",
      at: at(5).toISOString(),
    };
    expect(decideHeartbeat(beat, reported)).toMatchObject({ type: "DeviceCameOnline" });
  });
});
