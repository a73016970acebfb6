import type { KeyObject } from "node:crypto";
import { Readable } from "node:stream";
import type { KV } from "@nats-io/kv";
import type { ObjectStore as NatsObjectStore } from "@nats-io/obj";
import { Logger } from "@nestjs/common";
import { formatRevision, type RevisionRef } from "@statecast/contract";
import {
  DeviceEvents,
  isEvent,
  type PostgresEventStore,
  type RecordedEvent,
  revisionStreamId,
  streamKeyOf,
} from "@statecast/events";
import { continueTrace } from "@statecast/platform";
import type { ObjectStore } from "@statecast/state";
import { type AssignedTarget as Assigned, targetEnvelopeFor } from "./target-envelope.js";

/**
 * Turns device `TargetAssigned` / `TargetCancelled` into the device's `sc_targets` key, and
 * copies the revision's objects into `sc_objects` first (idempotently), so a device that sees
 * the target can fetch everything it names. Replaying an event writes the same key again.
 */
export class TargetWriter {
  private readonly logger = new Logger("Targets");

  constructor(
    private readonly store: PostgresEventStore,
    private readonly targets: KV,
    private readonly natsObjects: NatsObjectStore,
    private readonly objects: ObjectStore,
    private readonly key: KeyObject,
  ) {}

  async handle(event: RecordedEvent): Promise<void> {
    const deviceId = streamKeyOf(event.streamId);
    if (event.type === "TargetCancelled") {
      await this.targets.delete(deviceId);
      return;
    }
    if (!isEvent(event, DeviceEvents.TargetAssigned)) return;
    const data: Assigned = event.data;
    // Continues the trace of the command that assigned the target; the agent continues this one.
    const { span, traceparent } = continueTrace(
      "device-gateway",
      "gateway.target.write",
      event.metadata.traceparent,
      { "statecast.device_id": deviceId, "statecast.revision": formatRevision(data.revision) },
    );
    try {
      await this.write(deviceId, data, event, traceparent);
    } finally {
      span.end();
    }
  }

  private async write(
    deviceId: string,
    data: Assigned,
    event: RecordedEvent,
    traceparent: string | undefined,
  ): Promise<void> {
    const state = await this.canonicalState(data.digest);
    if (!state) {
      this.logger.warn(
        `target ${formatRevision(data.revision)} of ${deviceId} not written: state object ${data.digest} is not in the object store`,
      );
      return;
    }
    await this.copyObjects(data.revision, data.digest);
    const envelope = targetEnvelopeFor(
      deviceId,
      data,
      state,
      { assignedAt: event.metadata.now, traceparent },
      this.key,
    );
    await this.targets.put(deviceId, JSON.stringify(envelope));
  }

  private async canonicalState(digest: string): Promise<Record<string, unknown> | undefined> {
    if (!(await this.objects.has(digest))) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of await this.objects.openRead(digest)) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
  }

  private async copyObjects(revision: RevisionRef, digest: string): Promise<void> {
    const { events } = await this.store.readStream(
      revisionStreamId(revision.fleet, revision.number),
    );
    const posted = events.find((e) => e.type === "RevisionPosted")?.data as
      | { objects: string[] }
      | undefined;
    for (const sha of new Set([digest, ...(posted?.objects ?? [])])) {
      if (await this.natsObjects.info(sha)) continue;
      if (!(await this.objects.has(sha))) {
        this.logger.warn(`object ${sha} of ${formatRevision(revision)} is not in the object store`);
        continue;
      }
      const content = Readable.toWeb(await this.objects.openRead(sha));
      await this.natsObjects.put({ name: sha }, content as ReadableStream<Uint8Array>);
    }
  }
}
