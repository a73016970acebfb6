import {
  ConcurrencyError,
  deviceStreamId,
  type EventMetadata,
  type PostgresEventStore,
  type StreamAppend,
} from "@statecast/events";
import { foldDevice } from "../../devices/device-record.js";
import { type DeviceReport, decideReport, reportDevice } from "./device-commands.test-helper.js";

/** One device's report about the target `targetSeq` it holds. */
export interface SimReport {
  deviceId: string;
  targetSeq: number;
  report: DeviceReport;
}

function metadataOf(deviceId: string, targetSeq: number): EventMetadata {
  return {
    actor: `device:${deviceId}`,
    correlationId: `sim-${deviceId}-${targetSeq}`,
    causationId: `sim-${deviceId}-${targetSeq}`,
    now: new Date().toISOString(),
  };
}

/**
 * Group commit of many device reports, like the gateway's status ingestion: read every device
 * stream in one query, decide each report on its device's fold, append all resulting events in
 * one statement with each stream's expected version (all or nothing). If another writer moved
 * one of the streams meanwhile, the batch wrote nothing and each report is retried alone
 * through `reportDevice` (handleCommand). Each device appears at most once per call.
 */
export async function reportDevices(
  store: PostgresEventStore,
  reports: readonly SimReport[],
): Promise<void> {
  if (reports.length === 0) return;
  const streams = await store.readStreams(reports.map((r) => deviceStreamId(r.deviceId)));
  const appends: StreamAppend[] = [];
  for (const { deviceId, targetSeq, report } of reports) {
    const stream = streams.get(deviceStreamId(deviceId)) ?? { events: [], version: 0 };
    const events = decideReport(foldDevice(stream.events), targetSeq, report);
    if (events.length === 0) continue; // a stale report changes nothing
    const metadata = metadataOf(deviceId, targetSeq);
    appends.push({
      streamId: deviceStreamId(deviceId),
      events: events.map((e) => ({ ...e, metadata })),
      expectedVersion: stream.version === 0 ? "no_stream" : stream.version,
    });
  }
  if (appends.length === 0) return;
  try {
    await store.appendMany(appends);
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
    for (const { deviceId, targetSeq, report } of reports)
      await reportDevice(store, deviceId, targetSeq, report);
  }
}
