import type { KeyObject } from "node:crypto";
import { Readable } from "node:stream";
import type { KV } from "@nats-io/kv";
import type { ObjectStore as NatsObjectStore } from "@nats-io/obj";
import { Logger } from "@nestjs/common";
import {
  formatRevision,
  type RevisionRef,
  signTarget,
  type TargetEnvelope,
} from "@statecast/contract";
import {
  DeviceEvents,
  isEvent,
  type PostgresEventStore,
  type RecordedEvent,
  RevisionEvents,
  revisionStreamId,
  streamKeyOf,
} from "@statecast/events";
import { continueTrace } from "@statecast/platform";
import { type ObjectStore, replacedObjects } from "@statecast/state";
import type { DeltaMaker } from "../deltas/delta-maker.js";
import { heldRevision } from "../deltas/held-objects.js";
import {
  type AssignedTarget as Assigned,
  DEFAULT_TARGET_LIFETIME_MS,
  targetEnvelopeFor,
} from "./target-envelope.js";

/**
 * Turns device `TargetAssigned` / `TargetCancelled` into the device's `sc_targets` key, and
 * copies the revision's objects into `sc_objects` first (idempotently), so a device that sees
 * the target can fetch everything it names. Replaying an event writes the same key again.
 */
export interface TargetWriterOptions {
  /** Offers object deltas from what the device runs; none when absent. */
  deltas?: DeltaMaker;
  /** Lifetime of a target whose rollout set no `expiresAt`. */
  lifetimeMs?: number;
  clock?: () => number;
}

export class TargetWriter {
  private readonly logger = new Logger("Targets");

  constructor(
    private readonly store: PostgresEventStore,
    private readonly targets: KV,
    private readonly natsObjects: NatsObjectStore,
    private readonly objects: ObjectStore,
    private readonly key: KeyObject,
    private readonly options: TargetWriterOptions = {},
  ) {}

  private get deltas(): DeltaMaker | undefined {
    return this.options.deltas;
  }

  private get lifetimeMs(): number {
    return this.options.lifetimeMs ?? DEFAULT_TARGET_LIFETIME_MS;
  }

  private clock(): number {
    return (this.options.clock ?? Date.now)();
  }

  async handle(event: RecordedEvent): Promise<void> {
    const deviceId = streamKeyOf(event.streamId);
    if (event.type === "DeviceCameOnline") {
      await this.refresh(deviceId);
      return;
    }
    if (event.type === "TargetCancelled") {
      await this.targets.delete(deviceId);
      return;
    }
    if (isEvent(event, DeviceEvents.TargetInstallForced)) {
      await this.forceInstall(deviceId, event.data.seq);
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
      // Never skipped: the processor keeps its checkpoint before this event and retries the
      // batch (logged on each attempt) until the object is there, so no target is lost.
      throw new Error(
        `target ${formatRevision(data.revision)} of ${deviceId} not written yet: state object ${data.digest} is not in the object store`,
      );
    }
    await this.copyObjects(data.revision, data.digest);
    await this.offerDeltas(deviceId, event, state);
    const envelope = targetEnvelopeFor(
      deviceId,
      data,
      state,
      { assignedAt: event.metadata.now, traceparent, lifetimeMs: this.lifetimeMs },
      this.key,
    );
    await this.targets.put(deviceId, JSON.stringify(envelope));
  }

  /**
   * Makes (once per object pair) the deltas from the objects of the revision the device runs to
   * the objects that replace them at the same state path, before the target is visible. A
   * failure only costs bandwidth: the device then fetches the full objects.
   */
  private async offerDeltas(
    deviceId: string,
    event: RecordedEvent,
    state: Record<string, unknown>,
  ): Promise<void> {
    if (!this.deltas) return;
    try {
      const held = await heldRevision(this.store, event);
      if (!held) return;
      const digest = await this.digestOf(held);
      const old = digest ? await this.canonicalState(digest) : undefined;
      if (!old) return;
      for (const { from, to } of replacedObjects(old, state)) await this.deltas.ensure(from, to);
    } catch (error) {
      this.logger.warn(`no deltas for ${deviceId}: ${(error as Error).message}`);
    }
  }

  private async digestOf(revision: RevisionRef): Promise<string | undefined> {
    return (await this.posted(revision))?.digest;
  }

  /** The revision's RevisionPosted data, if it was posted. */
  private async posted(revision: RevisionRef) {
    const { events } = await this.store.readStream(
      revisionStreamId(revision.fleet, revision.number),
    );
    for (const event of events) {
      if (isEvent(event, RevisionEvents.RevisionPosted)) return event.data;
    }
    return undefined;
  }

  /**
   * A device back online whose target expired (or is past half its lifetime) gets the same
   * target (same seq, state, revision) signed again with a new lifetime, so a device that was
   * offline longer than the lifetime updates instead of refusing it as expired. Wall-clock time
   * is right here: the new expiry is about now, not about when the device came back in the log.
   */
  /**
   * Issue 20: the device's target, re-signed with `installNow` (same seq, so the agent's install
   * in progress goes on past its window or locks). A forced seq that is no longer the device's
   * target changes nothing.
   */
  private async forceInstall(deviceId: string, seq: number): Promise<void> {
    const entry = await this.targets.get(deviceId);
    if (entry?.operation !== "PUT" || entry.length === 0) return;
    const { signature: _s, ...body } = entry.json<TargetEnvelope>();
    if (body.seq !== seq || body.installNow) return;
    await this.targets.put(
      deviceId,
      JSON.stringify(signTarget({ ...body, installNow: true }, this.key)),
    );
    this.logger.log(`target of ${deviceId} (seq ${seq}) forced to install now`);
  }

  async refresh(deviceId: string): Promise<boolean> {
    const entry = await this.targets.get(deviceId);
    if (entry?.operation !== "PUT" || entry.length === 0) return false;
    const { signature: _s, ...body } = entry.json<TargetEnvelope>();
    const now = this.clock();
    if (Date.parse(body.expiresAt) - now > this.lifetimeMs / 2) return false;
    const expiresAt = new Date(now + this.lifetimeMs).toISOString();
    await this.targets.put(deviceId, JSON.stringify(signTarget({ ...body, expiresAt }, this.key)));
    this.logger.log(`target of ${deviceId} (seq ${body.seq}) refreshed until ${expiresAt}`);
    return true;
  }

  private async canonicalState(digest: string): Promise<Record<string, unknown> | undefined> {
    if (!(await this.objects.has(digest))) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of await this.objects.openRead(digest)) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
  }

  private async copyObjects(revision: RevisionRef, digest: string): Promise<void> {
    const posted = await this.posted(revision);
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
