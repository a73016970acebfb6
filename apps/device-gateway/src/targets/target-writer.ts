import type { KeyObject } from "node:crypto";
import type { KV } from "@nats-io/kv";
import { Logger } from "@nestjs/common";
import { formatRevision, signTarget, type TargetEnvelope } from "@statecast/contract";
import { DeviceEvents, isEvent, type RecordedEvent, streamKeyOf } from "@statecast/events";
import { continueTrace } from "@statecast/platform";
import { replacedObjects } from "@statecast/state";
import type { DeltaMaker } from "../deltas/delta-maker.js";
import type { HeldRevisions } from "../deltas/held-objects.js";
import type { NatsObjectSource } from "../objects/nats-object-source.js";
import { Remembered } from "../objects/remembered.js";
import {
  type AssignedTarget as Assigned,
  DEFAULT_TARGET_LIFETIME_MS,
  targetEnvelopeFor,
} from "./target-envelope.js";

/**
 * Turns device `TargetAssigned` / `TargetCancelled` into the device's `sc_targets` key. The
 * revision's objects are in `sc_objects` already (the orchestrator puts them there before the
 * revision exists). Replaying an event writes the same key again.
 */
export interface TargetWriterOptions {
  /** Offers object deltas from what the device runs; none when absent. */
  deltas?: DeltaMaker;
  /** Lifetime of a target whose rollout set no `expiresAt`. */
  lifetimeMs?: number;
  clock?: () => number;
  /**
   * The global position the previous release's `gateway-targets` processor had written targets
   * through (its checkpoint): a new consumer reads SC_EVENTS from its start, and writing those
   * targets again would show devices the old ones, and cancellations, on the way back to today.
   */
  handledThrough?: bigint;
  /**
   * Told after each write of a device's key (its new KV revision; none for a delete): the
   * module publishes it on the device's `targetChangedSubject`, which agents since issue 16
   * follow instead of holding a JetStream consumer each.
   */
  changed?: (deviceId: string, revision: number | undefined) => void;
}

type CanonicalState = Record<string, unknown>;

/** How long a read canonical state is kept (a wave's targets are written well inside it). */
const STATE_REMEMBER_MS = 60_000;

export class TargetWriter {
  /** `sc_targets` puts by this replica (its share of target writing, on `/metrics`). */
  written = 0;
  private readonly logger = new Logger("Targets");
  private readonly states = new Remembered<CanonicalState | undefined>(
    STATE_REMEMBER_MS,
    (state) => state !== undefined,
    Date.now,
    64,
  );

  constructor(
    private readonly targets: KV,
    private readonly objects: NatsObjectSource,
    private readonly held: HeldRevisions,
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
    if (await this.held.observe(event)) return;
    if (event.globalPosition <= (this.options.handledThrough ?? -1n)) return;
    if (event.type === "DeviceCameOnline") {
      await this.refresh(deviceId);
      return;
    }
    if (event.type === "TargetCancelled") {
      await this.targets.delete(deviceId);
      this.options.changed?.(deviceId, undefined);
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
      // Never skipped: the event is not acknowledged and comes again (logged on each attempt,
      // nothing after it of this consumer goes first) until the object is there.
      throw new Error(
        `target ${formatRevision(data.revision)} of ${deviceId} not written yet: state object ${data.digest} is not in the object store`,
      );
    }
    await this.offerDeltas(deviceId, state);
    const envelope = targetEnvelopeFor(
      deviceId,
      data,
      state,
      { assignedAt: event.metadata.now, traceparent, lifetimeMs: this.lifetimeMs },
      this.key,
    );
    await this.put(deviceId, JSON.stringify(envelope));
  }

  private async put(deviceId: string, value: string): Promise<void> {
    const revision = await this.targets.put(deviceId, value);
    this.written++;
    this.options.changed?.(deviceId, revision);
  }

  /**
   * Makes (once per object pair) the deltas from the objects of the revision the device runs to
   * the objects that replace them at the same state path, before the target is visible. A
   * failure only costs bandwidth: the device then fetches the full objects.
   */
  private async offerDeltas(deviceId: string, state: CanonicalState): Promise<void> {
    if (!this.deltas) return;
    try {
      const digest = await this.held.heldDigest(deviceId);
      const old = digest ? await this.canonicalState(digest) : undefined;
      if (!old) return;
      for (const { from, to } of replacedObjects(old, state)) await this.deltas.ensure(from, to);
    } catch (error) {
      this.logger.warn(`no deltas for ${deviceId}: ${(error as Error).message}`);
    }
  }

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
    await this.put(deviceId, JSON.stringify(signTarget({ ...body, installNow: true }, this.key)));
    this.logger.log(`target of ${deviceId} (seq ${seq}) forced to install now`);
  }

  /**
   * A device back online whose target expired (or is past half its lifetime) gets the same
   * target (same seq, state, revision) signed again with a new lifetime, so a device that was
   * offline longer than the lifetime updates instead of refusing it as expired. Wall-clock time
   * is right here: the new expiry is about now, not about when the device came back in the log.
   */
  async refresh(deviceId: string): Promise<boolean> {
    const entry = await this.targets.get(deviceId);
    if (entry?.operation !== "PUT" || entry.length === 0) return false;
    const { signature: _s, ...body } = entry.json<TargetEnvelope>();
    const now = this.clock();
    if (Date.parse(body.expiresAt) - now > this.lifetimeMs / 2) return false;
    const expiresAt = new Date(now + this.lifetimeMs).toISOString();
    await this.put(deviceId, JSON.stringify(signTarget({ ...body, expiresAt }, this.key)));
    this.logger.log(`target of ${deviceId} (seq ${body.seq}) refreshed until ${expiresAt}`);
    return true;
  }

  /**
   * The canonical state named by `digest`, read from sc_objects once for a wave's devices (it is
   * content-addressed, so a remembered one never goes stale); a missing one is asked again.
   */
  private canonicalState(digest: string): Promise<CanonicalState | undefined> {
    return this.states.get(digest, async () => {
      if (!(await this.objects.has(digest))) return undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of await this.objects.openRead(digest)) chunks.push(chunk as Buffer);
      return JSON.parse(Buffer.concat(chunks).toString("utf8")) as CanonicalState;
    });
  }
}
