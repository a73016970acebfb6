import { parseDeviceMessage } from "@statecast/contract";
import { DeviceHealthEvents, type RecordedEvent } from "@statecast/events";
import { decideHealth, type HealthReport } from "./device-health.js";
import { type DevicePlaneState, evolveDevicePlane, initialDevicePlane } from "./device-plane.js";
import { decideReport } from "./device-report.decider.js";

/** DeviceEnrolled as the catalog has it. */
const ENROLLED = {
  deviceId: "d1",
  publicKey: "UDEVICEKEY",
  fleet: "main",
  tags: {},
  enrolledWith: "approval",
};

const R2 = { fleet: "fleet", number: 2 };
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** As the agent since issue 14 sends it (apps/device-agent/src/report/report.ts HealthReport). */
const wire = {
  kind: "health",
  deviceId: "d1",
  bootId: "boot-a",
  seq: 7,
  revision: "fleet#2",
  health: "container_restarted",
  part: "app",
  exitCode: 3,
  count: 4,
  firstAt: "2026-01-01T00:00:00.000Z",
  lastAt: "2026-01-01T00:00:50.000Z",
  message: "app: exited; auto_recovery restart 4 of 10 (exit code 3) (4 times)",
  runtime: "lxc",
  at: "2026-01-01T00:01:00.000Z",
};

function enrolled(...events: [string, Record<string, unknown>][]): DevicePlaneState {
  return [["DeviceEnrolled", ENROLLED] as [string, Record<string, unknown>], ...events]
    .map(([type, data]) => ({ type, data }) as Pick<RecordedEvent, "type" | "data">)
    .reduce(evolveDevicePlane, initialDevicePlane());
}

function parsedHealth(value: unknown = wire): HealthReport {
  const parsed = parseDeviceMessage(bytes(value), "d1");
  if (!parsed.ok || parsed.message.kind !== "health") throw new Error(JSON.stringify(parsed));
  return parsed.message;
}

describe("health reports (kind: health)", () => {
  it("parse on the status subject with the revision as a ref", () => {
    expect(parsedHealth()).toMatchObject({
      kind: "health",
      revision: R2,
      health: "container_restarted",
    });
  });

  it("are refused when malformed or spoofed, with a reason", () => {
    expect(parseDeviceMessage(bytes({ ...wire, health: "exploded" }), "d1")).toMatchObject({
      ok: false,
      reason: "malformed",
    });
    expect(parseDeviceMessage(bytes({ ...wire, count: 0 }), "d1")).toMatchObject({
      ok: false,
      reason: "malformed",
    });
    expect(parseDeviceMessage(bytes(wire), "d2")).toMatchObject({ ok: false, reason: "spoofed" });
  });

  it("become one DeviceHealthReported the catalog accepts, whatever the target", () => {
    const verdict = decideHealth(parsedHealth(), enrolled());
    if (verdict.kind !== "apply") throw new Error(verdict.detail);
    expect(verdict.event.type).toBe("DeviceHealthReported");
    expect(DeviceHealthEvents.DeviceHealthReported.schema.parse(verdict.event.data)).toEqual({
      revision: R2,
      kind: "container_restarted",
      part: "app",
      exitCode: 3,
      count: 4,
      firstAt: wire.firstAt,
      lastAt: wire.lastAt,
      message: wire.message,
      report: { bootId: "boot-a", seq: 7 },
    });
  });

  it("share the progress reports' (bootId, seq) order: replays and older reports change nothing", () => {
    const after = enrolled(
      ["TargetAssigned", { revision: R2, seq: 1 }],
      [
        "DeviceHealthReported",
        { revision: R2, kind: "container_exited", count: 1, report: { bootId: "boot-a", seq: 7 } },
      ],
    );
    expect(decideHealth(parsedHealth(), after)).toMatchObject({
      kind: "drop",
      reason: "duplicate",
    });
    const older = {
      deviceId: "d1",
      bootId: "boot-a",
      seq: 6,
      revision: R2,
      status: "DONE" as const,
      progress: 100,
      message: "",
      at: wire.at,
    };
    expect(decideReport(older, after)).toMatchObject({ kind: "drop", reason: "stale" });
  });

  it("from an unknown or decommissioned device are dropped", () => {
    expect(decideHealth(parsedHealth(), initialDevicePlane())).toMatchObject({
      kind: "drop",
      reason: "unknown_device",
    });
    expect(
      decideHealth(parsedHealth(), enrolled(["DeviceDecommissioned", { reason: "gone" }])),
    ).toMatchObject({ kind: "drop", reason: "decommissioned" });
  });
});
