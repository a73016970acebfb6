import {
  deviceStreamId,
  type PostgresEventStore,
  type RecordedEvent,
  type RunningProcessor,
  revisionStreamId,
  runProcessor,
} from "@statecast/events";
import type { RevisionRef } from "../domain/index.js";
import { type DeviceReport, reportDevice } from "./device-commands.js";

/** How a simulated device ends an update: the reports it sends after `DOWNLOADING`. */
export type SimOutcome = DeviceReport | "silent";

export interface SimOptions {
  /** Unique per simulated fleet (it names the sim's checkpoint). */
  name: string;
  /** The final report for a target; default: `DONE`. */
  outcome?: (deviceId: string, target: { revision: RevisionRef; rolloutId?: string }) => SimOutcome;
  /** Devices answering at once. */
  concurrency?: number;
}

type TargetData = { revision: RevisionRef; seq: number; rolloutId?: string };

/**
 * Simulated devices: every `TargetAssigned` is answered with `DOWNLOADING` and then the outcome,
 * each through the device command path (`reportDevice` → handleCommand on the device stream).
 */
export function sim(store: PostgresEventStore, options: SimOptions): RunningProcessor {
  const outcome = options.outcome ?? (() => ({ kind: "succeeded", status: "DONE" }) as const);
  const concurrency = options.concurrency ?? 16;
  const answer = async (event: RecordedEvent) => {
    const deviceId = event.streamId.slice("device:".length);
    const target = event.data as TargetData;
    const final = outcome(deviceId, target);
    if (final === "silent") return;
    if (final.kind !== "rejected")
      await reportDevice(store, deviceId, target.seq, { kind: "progress", status: "DOWNLOADING" });
    await reportDevice(store, deviceId, target.seq, final);
  };
  return runProcessor(store, {
    name: `sim:${options.name}`,
    types: ["TargetAssigned"],
    batchSize: 2000,
    pollIntervalMs: 50,
    handle: async (events) => {
      const queue = [...events];
      const worker = async () => {
        for (let event = queue.shift(); event; event = queue.shift()) await answer(event);
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    },
  });
}

/** Enrols simulated devices (already on `current`, if given), as the gateway would record them. */
export async function enrollSimDevices(
  store: PostgresEventStore,
  devices: { deviceId: string; fleet: string; tags?: Record<string, string> }[],
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
            enrolledWith: "token",
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
