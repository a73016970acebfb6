import type { RecordedEvent } from "@statecast/events";
import { type DevicePlaneState, evolveDevicePlane, initialDevicePlane } from "./device-plane.js";

/** The revision the fixtures' device is targeted at. */
export const R2 = { fleet: "fleet", number: 2 };

/** An event of device d1's stream as the store reads it back, at `version`. */
export function recorded(
  type: string,
  data: Record<string, unknown>,
  version: number,
): RecordedEvent {
  return {
    globalPosition: BigInt(version),
    streamId: "device:d1",
    streamVersion: version,
    eventId: `e${version}`,
    type,
    schemaVersion: 1,
    data,
    metadata: { correlationId: "c", causationId: "c", actor: "system:test", now: "2026-01-01" },
    recordedAt: new Date(0),
    transactionId: 1n,
  };
}

/** Device d1 enrolled, targeted at R2, with the reports `(bootId, seq, status)` applied in order. */
export function targetedDevice(
  ...applied: { bootId: string; seq: number; status?: string }[]
): DevicePlaneState {
  const enrolled = {
    deviceId: "d1",
    publicKey: "UKEY",
    fleet: "fleet",
    tags: {},
    enrolledWith: "approval",
  };
  const events: [string, Record<string, unknown>][] = [
    ["DeviceEnrolled", enrolled],
    ["TargetAssigned", { revision: R2, seq: 1, digest: "0".repeat(64) }],
    ...applied.map(({ bootId, seq, status = "DOWNLOADING" }): [string, Record<string, unknown>] => [
      "UpdateProgressReported",
      { bootId, seq, revision: R2, status, progress: status === "QUEUED" ? 5 : 25 },
    ]),
  ];
  return events
    .map(([type, data], i) => recorded(type, data, i + 1))
    .reduce(evolveDevicePlane, initialDevicePlane());
}
