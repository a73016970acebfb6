import type { RecordedEvent } from "@statecast/events";
import { currentShape, type DeviceRecord, foldDevice } from "./device-record.js";

let position = 0n;
function anEvent(type: string, data: unknown): RecordedEvent {
  position += 1n;
  const at = new Date(Date.parse("2026-01-01T00:00:00Z") + Number(position) * 1000).toISOString();
  return {
    globalPosition: position,
    streamId: "device:d1",
    streamVersion: Number(position),
    eventId: `00000000-0000-4000-8000-${position.toString().padStart(12, "0")}`,
    type,
    schemaVersion: 1,
    data,
    metadata: { correlationId: "c", causationId: "c", actor: "device:d1", now: at },
    recordedAt: new Date(at),
    transactionId: position,
  };
}

const rev = (number: number) => ({ fleet: "main", number });
const enrolled = () =>
  anEvent("DeviceEnrolled", {
    deviceId: "d1",
    publicKey: `U${"A".repeat(55)}`,
    fleet: "main",
    tags: {},
    enrolledWith: "token",
  });
const assigned = (n: number, seq: number) =>
  anEvent("TargetAssigned", { revision: rev(n), digest: "0".repeat(64), seq });
const succeeded = (n: number) => anEvent("UpdateSucceeded", { revision: rev(n), status: "DONE" });
const bundle = (n: number, status: string) =>
  anEvent("BundleInstallReported", {
    revision: rev(n),
    status,
    message: "",
    reportedAt: "2026-01-01T00:00:00.000Z",
    report: { bootId: "b", seq: 1 },
  });

describe("the registry shows what a device really runs, and drift", () => {
  it("an offline install's DONE moves the current revision, by bundle, drifted from its target", () => {
    const device = foldDevice([enrolled(), assigned(1, 1), succeeded(1), bundle(3, "DONE")]);
    expect(device).toMatchObject({
      currentRevision: rev(3),
      installedVia: "bundle",
      drifted: true,
      lastStatus: "DONE",
    });
  });

  it("a bundle's progress reports and failures leave the current revision as it was", () => {
    const device = foldDevice([enrolled(), assigned(1, 1), succeeded(1), bundle(3, "QUEUED")]);
    expect(device).toMatchObject({
      currentRevision: rev(1),
      installedVia: "target",
      drifted: false,
    });
  });

  it("is not drifted while an update towards its target is under way, nor once it arrived", () => {
    const events = [enrolled(), assigned(1, 1), succeeded(1), assigned(2, 2)];
    expect(foldDevice(events)).toMatchObject({ drifted: false });
    expect(foldDevice([...events, succeeded(2)])).toMatchObject({ drifted: false });
  });

  it("a rollback away from the target is drift", () => {
    const events = [enrolled(), assigned(1, 1), succeeded(1), assigned(2, 2)];
    const rolledBack = anEvent("DeviceRolledBack", {
      from: rev(2),
      to: rev(1),
      reason: "status_goal_timeout",
    });
    const failed = anEvent("UpdateFailed", { revision: rev(2), reason: "x", message: "" });
    expect(foldDevice([...events, failed, rolledBack])).toMatchObject({ drifted: true });
  });

  it("reads records stored by the previous release (no installedVia, no drifted)", () => {
    const stored = foldDevice([enrolled(), assigned(1, 1), succeeded(1)]) as DeviceRecord;
    const { installedVia: _i, drifted: _d, ...previous } = stored;
    expect(currentShape(previous as DeviceRecord)).toEqual(stored);
  });
});
