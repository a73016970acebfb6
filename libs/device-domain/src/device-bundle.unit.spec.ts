import { type ProgressReport, parseDeviceMessage } from "@statecast/contract";
import { DeviceBundleEvents, type RecordedEvent } from "@statecast/events";
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

const R1 = { fleet: "fleet", number: 1 };
const R3 = { fleet: "fleet", number: 3 };

function device(...events: [string, Record<string, unknown>][]): DevicePlaneState {
  return [["DeviceEnrolled", ENROLLED] as [string, Record<string, unknown>], ...events]
    .map(([type, data]) => ({ type, data }) as Pick<RecordedEvent, "type" | "data">)
    .reduce(evolveDevicePlane, initialDevicePlane());
}

const report = (overrides: Partial<ProgressReport>): ProgressReport => ({
  deviceId: "d1",
  bootId: "offline-boot",
  seq: 1,
  revision: R3,
  status: "DONE",
  progress: 100,
  message: "installed from bundle",
  via: "bundle",
  at: "2026-01-01T00:00:00.000Z",
  ...overrides,
});

describe("offline install receipts (via: bundle)", () => {
  const running = device(
    ["TargetAssigned", { revision: R1, seq: 1 }],
    ["UpdateSucceeded", { revision: R1, status: "DONE", report: { bootId: "b0", seq: 4 } }],
  );

  it("parse, from an agent since issue 14", () => {
    const wire = { ...report({}), revision: "fleet#3" };
    const parsed = parseDeviceMessage(new TextEncoder().encode(JSON.stringify(wire)), "d1");
    expect(parsed).toMatchObject({ ok: true, message: { via: "bundle", revision: R3 } });
  });

  it("reach the audit as BundleInstallReported the catalog accepts, not as drops", () => {
    for (const status of ["QUEUED", "DONE"] as const) {
      const verdict = decideReport(report({ status }), running);
      if (verdict.kind !== "apply") throw new Error(verdict.detail);
      expect(verdict.event.type).toBe("BundleInstallReported");
      expect(() =>
        DeviceBundleEvents.BundleInstallReported.schema.parse(verdict.event.data),
      ).not.toThrow();
    }
  });

  it("a DONE one is what the device runs; the target stays as it was", () => {
    const verdict = decideReport(report({}), running);
    if (verdict.kind !== "apply") throw new Error(verdict.detail);
    const after = evolveDevicePlane(running, verdict.event);
    expect(after).toMatchObject({ currentRevision: R3, previous: R1, target: { revision: R1 } });
    expect(decideReport(report({}), after)).toMatchObject({ kind: "drop", reason: "duplicate" });
  });

  it("a bundle of the target's own revision goes the usual way (the rollout counts it)", () => {
    const targeted = device(["TargetAssigned", { revision: R3, seq: 2 }]);
    expect(decideReport(report({}), targeted)).toMatchObject({
      kind: "apply",
      event: { type: "UpdateSucceeded" },
    });
  });

  it("reports of the previous agent (no via) are still dropped when not about the target", () => {
    const { via: _v, ...old } = report({});
    expect(decideReport(old, running)).toMatchObject({ kind: "drop", reason: "not_targeted" });
  });
});
