import type { RecordedEvent } from "@statecast/events";
import { type DeviceRecord, evolveDevice, foldDevice } from "./device-record.js";

let position = 0n;
function anEvent(type: string, data: unknown, at: string): RecordedEvent {
  position += 1n;
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

describe("foldDevice", () => {
  it("has no device before its first event", () => {
    expect(foldDevice([])).toBeUndefined();
  });

  it("follows enrolment, a target, success and a rollback", () => {
    const events = [
      anEvent(
        "DeviceEnrolled",
        {
          deviceId: "d1",
          publicKey: "U",
          fleet: "main",
          tags: { site: "a" },
          enrolledWith: "approval",
        },
        "2026-01-01T00:00:00.000Z",
      ),
      anEvent("DeviceApproved", { by: "operator:ann" }, "2026-01-01T00:01:00.000Z"),
      anEvent("DeviceCameOnline", { bootId: "b1" }, "2026-01-01T00:02:00.000Z"),
      anEvent(
        "TargetAssigned",
        { revision: rev(2), digest: "d".repeat(64), seq: 1, rolloutId: "r1" },
        "2026-01-01T00:03:00.000Z",
      ),
      anEvent("UpdateSucceeded", { revision: rev(2), status: "DONE" }, "2026-01-01T00:04:00.000Z"),
    ];
    const afterTarget = foldDevice(events.slice(0, 4));
    expect(afterTarget).toMatchObject({
      fleet: "main",
      tags: { site: "a" },
      approval: "approved",
      online: true,
      currentRevision: null,
      target: { revision: rev(2), seq: 1, rolloutId: "r1" },
      lastStatus: "NEW",
    });
    const rolledBack = foldDevice([
      ...events,
      anEvent(
        "DeviceRolledBack",
        { from: rev(2), to: rev(1), reason: "boot_failed" },
        "2026-01-01T00:05:00.000Z",
      ),
    ]);
    expect(rolledBack).toMatchObject({
      currentRevision: rev(1),
      lastReason: "boot_failed",
      lastSeenAt: "2026-01-01T00:05:00.000Z",
    });
    expect(foldDevice(events)).toMatchObject({ currentRevision: rev(2), lastStatus: "DONE" });
  });

  it("records failures with their reason and goes offline", () => {
    const device = foldDevice([
      anEvent(
        "UpdateRejected",
        { revision: rev(3), reason: "signature_invalid", message: "x" },
        "2026-01-02T00:00:00.000Z",
      ),
      anEvent(
        "DeviceWentOffline",
        { lastSeenAt: "2026-01-02T00:00:30.000Z" },
        "2026-01-02T00:01:00.000Z",
      ),
      anEvent("DeviceDecommissioned", { reason: "broken" }, "2026-01-02T00:02:00.000Z"),
    ]);
    expect(device).toMatchObject({
      deviceId: "d1",
      lastStatus: "WONTGO",
      lastReason: "signature_invalid",
      online: false,
      lastSeenAt: "2026-01-02T00:00:30.000Z",
      approval: "decommissioned",
    });
  });

  it("sums the bytes each apply downloaded, as delta-aware and older agents report them", () => {
    const at = "2026-01-02T00:00:00.000Z";
    const progress = (number: number, downloads: Record<string, number>) =>
      anEvent(
        "UpdateProgressReported",
        { revision: rev(number), status: "DOWNLOADING", downloads },
        at,
      );
    const device = foldDevice([
      anEvent(
        "DeviceEnrolled",
        {
          deviceId: "d1",
          publicKey: `U${"A".repeat(55)}`,
          fleet: "main",
          tags: {},
          enrolledWith: "token",
        },
        at,
      ),
      // An older agent: total and done only (needed is then its total).
      progress(1, { total: 1000, done: 400 }),
      progress(1, { total: 1000, done: 1000, resumed: 0 }),
      // A delta-aware agent: 20 bytes of delta stand for a 900-byte object.
      progress(2, { total: 20, done: 0, needed: 900, delta: 0 }),
      progress(2, { total: 20, done: 20, needed: 900, delta: 20, resumed: 0 }),
    ]);
    expect(device?.transfer).toEqual({
      last: { revision: rev(2), needed: 900, fetched: 20, delta: 20, resumed: 0 },
      total: { needed: 1900, fetched: 1020, delta: 20, resumed: 0 },
    });
  });

  it("shows the key holding credentials, as enrollment and revocation read it, and no key lists", () => {
    const at = "2026-01-04T00:00:00.000Z";
    const keyA = `U${"A".repeat(55)}`;
    const keyB = `U${"B".repeat(55)}`;
    const data = {
      deviceId: "d1",
      publicKey: keyA,
      fleet: "main",
      tags: {},
      enrolledWith: "token",
    };
    const events = [
      anEvent("DeviceEnrolled", data, at),
      anEvent("DeviceCredentialsIssued", { publicKey: keyA }, at),
      anEvent("DeviceTargetWatchBounded", { publicKey: keyA }, at),
      anEvent("DeviceCredentialsRevoked", { publicKey: keyB, reason: "other key" }, at),
    ];
    const held = foldDevice(events);
    expect(held?.credentialsKey).toBe(keyA);
    expect(held).not.toHaveProperty("revokedKeys");
    expect(held).not.toHaveProperty("watchBoundedKeys");
    expect(held).not.toHaveProperty("targeted");
    const revoked = anEvent("DeviceCredentialsRevoked", { publicKey: keyA, reason: "lost" }, at);
    expect(foldDevice([...events, revoked])?.credentialsKey).toBeNull();
  });

  it("reads a record stored before transfers were counted", () => {
    const stored = {
      deviceId: "d1",
      fleet: "main",
      tags: {},
      version: 3,
    } as unknown as DeviceRecord;
    const next = evolveDevice(
      stored,
      anEvent(
        "UpdateProgressReported",
        { revision: rev(1), status: "DOWNLOADING", downloads: { total: 5, done: 5 } },
        "2026-01-03T00:00:00.000Z",
      ),
    );
    expect(next.transfer.total).toEqual({ needed: 5, fetched: 5, delta: 0, resumed: 0 });
  });
});
