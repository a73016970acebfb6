import {
  DeviceEvents,
  deviceStreamId,
  isEvent,
  type PostgresEventStore,
  type RecordedEvent,
  type RunningProcessor,
  revisionStreamId,
  runProcessor,
  streamKeyOf,
} from "@statecast/events";
import type { RevisionRef } from "../../rollout/domain/index.js";
import { reportDevices, type SimReport } from "./device-batch.test-helper.js";
import type { DeviceReport } from "./device-commands.test-helper.js";

/** How a simulated device ends an update: the reports it sends after `DOWNLOADING`. */
export type SimOutcome = DeviceReport | "silent";

export interface SimOptions {
  /** Unique per simulated fleet (it names the sim's checkpoint). */
  name: string;
  /** The final report for a target; default: `DONE`. */
  outcome?: (deviceId: string, target: { revision: RevisionRef; rolloutId?: string }) => SimOutcome;
  /** Devices whose reports are committed together (one statement per report kind); default 500. */
  chunkSize?: number;
}

type TargetData = { revision: RevisionRef; seq: number; rolloutId?: string };

/**
 * Simulated devices: every `TargetAssigned` is answered with `DOWNLOADING` and then the outcome,
 * decided on each device stream's fold and group-committed per chunk of devices (`reportDevices`),
 * as the gateway ingests status reports; a conflicting chunk falls back to handleCommand per device.
 */
export function sim(store: PostgresEventStore, options: SimOptions): RunningProcessor {
  const outcome = options.outcome ?? (() => ({ kind: "succeeded", status: "DONE" }) as const);
  const chunkSize = options.chunkSize ?? 500;
  /** Each device answers its latest target of the batch: DOWNLOADING, then the outcome. */
  const answer = async (events: readonly RecordedEvent[]) => {
    const latest = new Map<string, TargetData>();
    for (const event of events)
      if (isEvent(event, DeviceEvents.TargetAssigned))
        latest.set(streamKeyOf(event.streamId), event.data);
    const downloading: SimReport[] = [];
    const finals: SimReport[] = [];
    for (const [deviceId, target] of latest) {
      const final = outcome(deviceId, target);
      if (final === "silent") continue;
      if (final.kind !== "rejected")
        downloading.push({
          deviceId,
          targetSeq: target.seq,
          report: { kind: "progress", status: "DOWNLOADING" },
        });
      finals.push({ deviceId, targetSeq: target.seq, report: final });
    }
    await reportDevices(store, downloading);
    await reportDevices(store, finals);
  };
  return runProcessor(store, {
    name: `sim:${options.name}`,
    types: ["TargetAssigned"],
    batchSize: 2000,
    pollIntervalMs: 50,
    handle: async (events) => {
      for (let i = 0; i < events.length; i += chunkSize)
        await answer(events.slice(i, i + chunkSize));
    },
  });
}

/** Enrols simulated devices (already on `current`, if given), as the gateway would record them. */
export async function enrollSimDevices(
  store: PostgresEventStore,
  devices: {
    deviceId: string;
    fleet: string;
    tags?: Record<string, string>;
    /** "approval": enrolled pending an operator's approval (default: with a token, approved). */
    enrolledWith?: "token" | "approval";
  }[],
  current?: RevisionRef,
  concurrency = 16,
): Promise<void> {
  const queue = [...devices];
  const worker = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      const metadata = {
        actor: `device:${d.deviceId}` as const,
        correlationId: `enrol-${d.deviceId}`,
        causationId: `enrol-${d.deviceId}`,
        now: new Date().toISOString(),
      };
      const events = [
        {
          type: "DeviceEnrolled",
          data: {
            deviceId: d.deviceId,
            publicKey: `U${"A".repeat(55)}`,
            fleet: d.fleet,
            tags: d.tags ?? {},
            enrolledWith: d.enrolledWith ?? "token",
          },
          metadata,
        },
        { type: "DeviceCameOnline", data: { bootId: "sim-boot" }, metadata },
        ...(current
          ? [{ type: "UpdateSucceeded", data: { revision: current, status: "DONE" }, metadata }]
          : []),
      ];
      await store.append(deviceStreamId(d.deviceId), events, { expectedVersion: "no_stream" });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Records a posted revision (what `POST /v1/fleets/:fleet/revisions` appends). */
export async function postSimRevision(
  store: PostgresEventStore,
  revision: RevisionRef,
): Promise<void> {
  const digest = revision.number.toString(16).padStart(64, "a");
  await store.append(
    revisionStreamId(revision.fleet, revision.number),
    [
      {
        type: "RevisionPosted",
        data: { revision, digest, objects: [], author: "sim", message: "" },
        metadata: {
          actor: "operator:sim",
          correlationId: `rev-${revision.number}`,
          causationId: `rev-${revision.number}`,
          now: new Date().toISOString(),
        },
      },
    ],
    { expectedVersion: "no_stream" },
  );
}
