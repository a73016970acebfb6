import { keyFingerprint } from "@statecast/contract";
import { noTransfer } from "@statecast/device-domain";
import { IllegalStateError, NotFoundError } from "@statecast/events";
import { decideDevice } from "./device.decider.js";
import type { DeviceRecord } from "./device-record.js";

const KEY = `U${"A".repeat(55)}`;

function aDevice(overrides: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    deviceId: "d1",
    fleet: "main",
    tags: { site: "a" },
    approval: "pending",
    currentRevision: null,
    target: null,
    lastStatus: null,
    lastReason: null,
    online: false,
    lastSeenAt: null,
    enrolledAt: "2026-01-01T00:00:00.000Z",
    publicKey: KEY,
    keyFingerprint: keyFingerprint(KEY),
    transfer: noTransfer(),
    installedVia: null,
    drifted: false,
    version: 1,
    updatedAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

describe("decideDevice", () => {
  it("approves a pending device once", () => {
    expect(
      decideDevice({ type: "Approve", deviceId: "d1", by: "operator:ann" }, aDevice()),
    ).toEqual([{ type: "DeviceApproved", data: { by: "operator:ann", publicKey: KEY } }]);
    expect(() =>
      decideDevice(
        { type: "Approve", deviceId: "d1", by: "operator:ann" },
        aDevice({ approval: "approved" }),
      ),
    ).toThrow(IllegalStateError);
  });

  it("changes tags only when they differ (key order does not matter)", () => {
    const device = aDevice({ tags: { site: "a", rack: "1" } });
    expect(
      decideDevice({ type: "ChangeTags", deviceId: "d1", tags: { rack: "1", site: "a" } }, device),
    ).toEqual([]);
    expect(
      decideDevice({ type: "ChangeTags", deviceId: "d1", tags: { site: "b" } }, device),
    ).toEqual([{ type: "DeviceTagsChanged", data: { tags: { site: "b" } } }]);
  });

  it("decommissions, after which nothing else is allowed", () => {
    expect(
      decideDevice({ type: "Decommission", deviceId: "d1", reason: "broken" }, aDevice()),
    ).toEqual([{ type: "DeviceDecommissioned", data: { reason: "broken" } }]);
    const gone = aDevice({ approval: "decommissioned" });
    for (const command of [
      { type: "Decommission" as const, deviceId: "d1", reason: "again" },
      { type: "ChangeTags" as const, deviceId: "d1", tags: {} },
      { type: "Approve" as const, deviceId: "d1", by: "operator:ann" },
    ]) {
      expect(() => decideDevice(command, gone)).toThrow(/d1 is decommissioned/);
    }
  });

  it("refuses commands on a device that never enrolled", () => {
    expect(() =>
      decideDevice({ type: "Approve", deviceId: "ghost", by: "operator:ann" }, undefined),
    ).toThrow(NotFoundError);
  });
});

describe("decideDevice on keys", () => {
  const other = `U${"C".repeat(55)}`;
  const approve = (keyFingerprint?: string) =>
    ({ type: "Approve", deviceId: "d1", by: "operator:ann", keyFingerprint }) as const;

  it("approves only the key named by its fingerprint", () => {
    expect(decideDevice(approve(keyFingerprint(KEY)), aDevice())).toHaveLength(1);
    expect(() => decideDevice(approve(keyFingerprint(other)), aDevice())).toThrow(
      `device d1 is pending with key ${keyFingerprint(KEY)}, not ${keyFingerprint(other)}`,
    );
  });

  it("re-keys: revokes live credentials, retires the key; nothing to approve until a new hello", () => {
    const held = aDevice({ approval: "approved", credentialsKey: KEY });
    expect(decideDevice({ type: "Rekey", deviceId: "d1", reason: "new board" }, held)).toEqual([
      {
        type: "DeviceCredentialsRevoked",
        data: { publicKey: KEY, reason: "re-keyed: new board" },
      },
      { type: "DeviceRekeyed", data: { previousKey: KEY, reason: "new board" } },
    ]);
    const waiting = aDevice({ publicKey: null, keyFingerprint: null });
    expect(() => decideDevice(approve(), waiting)).toThrow(/has not said hello with its new key/);
    expect(() => decideDevice({ type: "Rekey", deviceId: "d1", reason: "" }, waiting)).toThrow(
      IllegalStateError,
    );
  });
});
