import { IllegalStateError, NotFoundError } from "@statecast/events";
import { decideDevice } from "./device.decider.js";
import type { DeviceRecord } from "./device-record.js";
import { noTransfer } from "./device-transfer.js";

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
    ).toEqual([{ type: "DeviceApproved", data: { by: "operator:ann" } }]);
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
