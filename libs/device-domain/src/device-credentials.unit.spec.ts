import { DeviceEvents } from "@statecast/events";
import { type DeviceStreamEvent, foldDevice, isDecommissioned, isEnrolled } from "./device.js";
import { actingKey, isRevokedKey, isWatchBounded } from "./device-credentials.js";

const keyA = `U${"A".repeat(55)}`;
const keyB = `U${"B".repeat(55)}`;
/** An event as a real stream holds it: its data checked against the catalog. */
function event(type: keyof typeof DeviceEvents, data: unknown): DeviceStreamEvent {
  const definition = DeviceEvents[type];
  if (!("schema" in definition)) throw new Error(`${type} is no event definition`);
  return { type, data: definition.schema.parse(data) };
}
const enrolled = (enrolledWith: "token" | "approval", publicKey = keyA) =>
  event("DeviceEnrolled", { deviceId: "d1", publicKey, fleet: "lab", tags: {}, enrolledWith });
const approved = (publicKey?: string) => event("DeviceApproved", { by: "operator:ann", publicKey });
const issued = (publicKey = keyA) => event("DeviceCredentialsIssued", { publicKey });
const revoked = (publicKey = keyA) =>
  event("DeviceCredentialsRevoked", { publicKey, reason: "lost" });
const rekeyed = (previousKey = keyA) =>
  event("DeviceRekeyed", { previousKey, reason: "new board" });
const presented = (publicKey = keyB) => event("DeviceKeyPresented", { publicKey });
const fold = (...events: DeviceStreamEvent[]) => foldDevice("d1", events);

describe("the device aggregate's keys: what enrollment, revocation and object access read", () => {
  it("knows no device before it enrolled, and a pending one until approved", () => {
    const none = fold();
    expect(isEnrolled(none)).toBe(false);
    expect(actingKey(none)).toBeNull();
    expect(fold(enrolled("approval"))).toMatchObject({ approval: "pending", fleet: "lab" });
    expect(fold(enrolled("token"))).toMatchObject({ approval: "approved" });
    expect(fold(enrolled("approval"), approved())).toMatchObject({
      approval: "approved",
      publicKey: keyA,
      credentialsKey: null,
    });
  });

  it("credentialsKey is the key credentials were issued to, until that key is revoked", () => {
    const held = fold(enrolled("token"), issued());
    expect(held.credentialsKey).toBe(keyA);
    expect(actingKey(held)).toBe(keyA);
    const cut = fold(enrolled("token"), issued(), revoked());
    expect(cut.credentialsKey).toBeNull();
    expect(isRevokedKey(cut, keyA)).toBe(true);
    expect(actingKey(cut)).toBeNull();
    // Revoking some other key leaves the holder's credentials alone, and retires only that key.
    const other = fold(enrolled("token"), issued(), revoked(keyB));
    expect(other.credentialsKey).toBe(keyA);
    expect(actingKey(other)).toBe(keyA);
    expect(other.revokedKeys).toEqual([keyB]);
  });

  it("an enrolled key with no credentials yet acts for the device unless revoked", () => {
    expect(actingKey(fold(enrolled("approval")))).toBe(keyA);
    expect(actingKey(fold(enrolled("approval"), revoked()))).toBeNull();
  });

  it("nothing acts for a decommissioned device", () => {
    const gone = fold(enrolled("token"), issued(), event("DeviceDecommissioned", { reason: "x" }));
    expect(isDecommissioned(gone)).toBe(true);
    expect(actingKey(gone)).toBeNull();
  });

  it("remembers the keys whose agent watches through its fixed consumer", () => {
    const bound = event("DeviceTargetWatchBounded", { publicKey: keyA });
    const device = fold(enrolled("token"), issued(), bound, bound);
    expect(device.watchBoundedKeys).toEqual([keyA]);
    expect(isWatchBounded(device, keyA)).toBe(true);
    expect(isWatchBounded(device, keyB)).toBe(false);
  });
});

describe("an operator's re-key", () => {
  it("the old key stops acting for the device until a new key is presented and approved", () => {
    const waiting = fold(enrolled("token"), issued(), revoked(), rekeyed());
    expect(waiting).toMatchObject({ publicKey: null, approval: "pending", credentialsKey: null });
    expect(isRevokedKey(waiting, keyA)).toBe(true);
    expect(waiting.revokedKeys).toEqual([keyA]);
    expect(actingKey(waiting)).toBeNull();
    const pending = fold(enrolled("token"), issued(), revoked(), rekeyed(), presented());
    expect(pending).toMatchObject({ publicKey: keyB, approval: "pending", credentialsKey: null });
    expect(actingKey(pending)).toBe(keyB);
    const again = fold(
      enrolled("token"),
      issued(),
      revoked(),
      rekeyed(),
      presented(),
      approved(keyB),
      issued(keyB),
    );
    expect(again).toMatchObject({ publicKey: keyB, approval: "approved", credentialsKey: keyB });
    expect(actingKey(again)).toBe(keyB);
    expect(isRevokedKey(again, keyA)).toBe(true);
  });

  it("a key that never held credentials is retired too", () => {
    const waiting = fold(enrolled("approval"), rekeyed());
    expect(isRevokedKey(waiting, keyA)).toBe(true);
  });

  it("no key holds credentials after a re-key, even one not revoked before it", () => {
    // A stream where the re-key came without the revocation the registry appends with it.
    const waiting = fold(enrolled("token"), issued(), rekeyed());
    expect(waiting.credentialsKey).toBeNull();
    expect(actingKey(waiting)).toBeNull();
  });
});

describe("what object access reads: approval, fleet and every revision targeted", () => {
  const assigned = (number: number, digest: string, seq: number) =>
    event("TargetAssigned", { revision: { fleet: "lab", number }, digest, seq });

  it("keeps each targeted revision once, after the target moved on or was withdrawn", () => {
    const [d1, d2] = ["1".repeat(64), "2".repeat(64)];
    const device = fold(
      enrolled("token"),
      assigned(1, d1, 1),
      assigned(2, d2, 2),
      event("TargetCancelled", { revision: { fleet: "lab", number: 2 }, seq: 2, reason: "x" }),
      assigned(1, d1, 3),
    );
    expect(device).toMatchObject({ approval: "approved", fleet: "lab" });
    expect(device.targeted).toEqual([
      { revision: { fleet: "lab", number: 1 }, digest: d1 },
      { revision: { fleet: "lab", number: 2 }, digest: d2 },
    ]);
  });

  it("a re-keyed device is pending again until its new key is approved", () => {
    expect(fold(enrolled("token"), rekeyed(), presented()).approval).toBe("pending");
    expect(fold(enrolled("token"), rekeyed(), presented(), approved(keyB)).approval).toBe(
      "approved",
    );
  });
});
