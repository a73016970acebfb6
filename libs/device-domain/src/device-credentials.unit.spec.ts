import { actingKey, foldDeviceCredentials } from "./device-credentials.js";

const keyA = `U${"A".repeat(55)}`;
const keyB = `U${"B".repeat(55)}`;
const enrolled = (enrolledWith: "token" | "approval", publicKey = keyA) => ({
  type: "DeviceEnrolled",
  data: { deviceId: "d1", publicKey, fleet: "lab", tags: {}, enrolledWith },
});
const issued = (publicKey = keyA) => ({ type: "DeviceCredentialsIssued", data: { publicKey } });
const revoked = (publicKey = keyA) => ({
  type: "DeviceCredentialsRevoked",
  data: { publicKey, reason: "lost" },
});

describe("the device's credentials, one fold for enrollment, revocation and object access", () => {
  it("knows no device before it enrolled, and a pending one until approved", () => {
    expect(foldDeviceCredentials([])).toBeUndefined();
    expect(foldDeviceCredentials([enrolled("approval")])).toMatchObject({ approval: "pending" });
    expect(
      foldDeviceCredentials([enrolled("approval"), { type: "DeviceApproved", data: { by: "x" } }]),
    ).toMatchObject({ approval: "approved", issuedTo: undefined });
  });

  it("credentials are held by the key they were issued to, until that key is revoked", () => {
    const held = foldDeviceCredentials([enrolled("token"), issued()]);
    expect(held).toMatchObject({ issuedTo: keyA });
    expect(actingKey(held)).toBe(keyA);
    const cut = foldDeviceCredentials([enrolled("token"), issued(), revoked()]);
    expect(cut?.issuedTo).toBeUndefined();
    expect(cut?.revoked.has(keyA)).toBe(true);
    expect(actingKey(cut)).toBeUndefined();
    // Revoking some other key leaves the holder's credentials alone.
    const other = foldDeviceCredentials([enrolled("token"), issued(), revoked(keyB)]);
    expect(actingKey(other)).toBe(keyA);
  });

  it("nothing acts for a decommissioned device", () => {
    const gone = foldDeviceCredentials([
      enrolled("token"),
      issued(),
      { type: "DeviceDecommissioned", data: {} },
    ]);
    expect(gone?.approval).toBe("decommissioned");
    expect(actingKey(gone)).toBeUndefined();
  });
});

describe("an operator's re-key", () => {
  const rekeyed = { type: "DeviceRekeyed", data: { previousKey: keyA, reason: "new board" } };

  it("the old key stops acting for the device until a new key is presented and approved", () => {
    const waiting = foldDeviceCredentials([enrolled("token"), issued(), revoked(), rekeyed]);
    expect(waiting).toMatchObject({ publicKey: undefined, approval: "pending" });
    expect(waiting?.revoked.has(keyA)).toBe(true);
    expect(actingKey(waiting)).toBeUndefined();
    const presented = foldDeviceCredentials([
      enrolled("token"),
      issued(),
      revoked(),
      rekeyed,
      { type: "DeviceKeyPresented", data: { publicKey: keyB } },
    ]);
    expect(presented).toMatchObject({ publicKey: keyB, approval: "pending" });
  });

  it("a key that never held credentials is retired too", () => {
    const waiting = foldDeviceCredentials([enrolled("approval"), rekeyed]);
    expect(waiting?.revoked.has(keyA)).toBe(true);
  });
});
