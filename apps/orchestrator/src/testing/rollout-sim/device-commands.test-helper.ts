import {
  deviceStreamId,
  type EventMetadata,
  handleCommand,
  type NewEvent,
  type PostgresEventStore,
  type RecordedEvent,
} from "@statecast/events";
import { type DeviceRecord, evolveDevice } from "../../devices/device-record.js";
import type { RevisionRef } from "../../rollout/domain/index.js";

/** What a device reports about the target it holds (the gateway turns a report into this). */
export type DeviceReport =
  | { kind: "progress"; status: "QUEUED" | "DOWNLOADING" | "INPROGRESS" | "TESTING" }
  | { kind: "succeeded"; status: "DONE" | "UPDATED" }
  | { kind: "failed"; reason: string }
  | { kind: "rejected"; reason: string };

const PROGRESS = { QUEUED: 5, DOWNLOADING: 25, INPROGRESS: 50, TESTING: 75 } as const;
const BOOT_ID = "sim-boot";

/**
 * The device-side command: a report about target `seq` becomes at most one device event. A
 * report about a target the device no longer holds (cancelled, replaced) changes nothing, like
 * the gateway's stale-report rule.
 */
export function decideReport(
  device: DeviceRecord | undefined,
  targetSeq: number,
  report: DeviceReport,
): { type: string; data: unknown }[] {
  const target = device?.target;
  if (!device || !target || target.seq !== targetSeq) return [];
  const revision: RevisionRef = target.revision;
  const cursor = { bootId: BOOT_ID, seq: device.version };
  switch (report.kind) {
    case "progress":
      return [
        {
          type: "UpdateProgressReported",
          data: { ...cursor, revision, status: report.status, progress: PROGRESS[report.status] },
        },
      ];
    case "succeeded":
      return [
        { type: "UpdateSucceeded", data: { revision, status: report.status, report: cursor } },
      ];
    case "failed":
      return [
        {
          type: "UpdateFailed",
          data: {
            revision,
            reason: report.reason,
            message: `simulated ${report.reason}`,
            report: cursor,
          },
        },
      ];
    case "rejected":
      return [
        {
          type: "UpdateRejected",
          data: {
            revision,
            reason: report.reason,
            message: `simulated ${report.reason}`,
            report: cursor,
          },
        },
      ];
  }
}

/** Runs one device report through handleCommand on `device:<id>` (read, decide, append). */
export async function reportDevice(
  store: PostgresEventStore,
  deviceId: string,
  targetSeq: number,
  report: DeviceReport,
): Promise<void> {
  const metadata: EventMetadata = {
    actor: `device:${deviceId}`,
    correlationId: `sim-${deviceId}-${targetSeq}`,
    causationId: `sim-${deviceId}-${targetSeq}`,
    now: new Date().toISOString(),
  };
  await handleCommand<DeviceRecord | undefined>(
    store,
    deviceStreamId(deviceId),
    (device): NewEvent[] =>
      decideReport(device, targetSeq, report).map((e) => ({ ...e, metadata })),
    (device: DeviceRecord | undefined, event: RecordedEvent) => evolveDevice(device, event),
    () => undefined,
    { maxAttempts: 10 },
  );
}
