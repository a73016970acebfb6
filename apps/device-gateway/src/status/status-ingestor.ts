import type { JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { Logger } from "@nestjs/common";
import type { Span } from "@opentelemetry/api";
import { deviceIdOfSubject, parseDeviceMessage } from "@statecast/contract";
import type { PostgresEventStore } from "@statecast/events";
import { continueTrace } from "@statecast/platform";
import {
  type ArrivedMessage,
  applyDevicesTogether,
  type DeviceWork,
} from "./device-report-applier.js";
import { DeviceStateCache } from "./device-state-cache.js";
import type { DropCounter } from "./drop-counter.js";
import { inStreamOrder, type Queued } from "./queued-report.js";
import { GAP_RECHECK_MS, ReportGapHold } from "./report-gap-hold.js";
import { ReportGate } from "./report-gate.js";
import { settleFates } from "./settle-fates.js";
import { DEFAULT_MAX_IN_FLIGHT, type StatusIngestorOptions } from "./status-ingestor.options.js";
import { StatusPull } from "./status-pull.js";

export type { StatusIngestorOptions } from "./status-ingestor.options.js";

/**
 * Pulls `SC_DEVICE_STATUS` through the shared durable consumer. Messages of one device are
 * applied in stream order (the order the device sent them; a redelivered one takes its place
 * again) with at most one transaction per device at a time; what queues up
 * meanwhile, across devices, goes into the next transaction together (group commit). A message
 * is acked only after its events committed, or when it was dropped on purpose; a failed commit
 * naks it for redelivery. A report that came ahead of earlier ones of its boot is held, unacked,
 * until they are applied or given up (ReportGapHold).
 */
export class StatusIngestor {
  private readonly logger = new Logger("StatusIngestion");
  private readonly queues = new Map<string, Queued[]>();
  private readonly busy = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  /** The reports of the transactions running, by device. */
  private readonly committing = new Set<Queued[]>();
  private readonly states = new DeviceStateCache();
  /** Devices whose last commit failed: not scheduled before this time (ms). */
  private readonly notBefore = new Map<string, number>();
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private readonly pull: StatusPull;
  private stopping = false;
  private readonly gate: ReportGate;
  private readonly gaps = new ReportGapHold();
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = 0;
  private keepAlive: NodeJS.Timeout | undefined;
  private readonly maxInFlight: number;
  private receivedAtMs = Number.NaN;
  private receivedAt = "";
  applied = 0;

  /** Ack waits of queued reports reset so far (`working`), see keepUnackedAlive. */
  ackWaitsReset = 0;

  /** Times the pull of the status consumer ended (error, consumer deleted, …) and was started again. */
  get resumed(): number {
    return this.pull.resumed;
  }

  /** Reports held back or handed back because their device was over its rate (none is lost). */
  get rateLimited(): number {
    return this.gate.limited;
  }

  /** Reports held because earlier ones of their boot had not been applied yet (see ReportGapHold). */
  get heldForGap(): number {
    return this.gaps.held;
  }

  /** Report seqs given up on: a later report of their boot was applied without them. */
  get seqsSkipped(): number {
    return this.gaps.skipped;
  }

  constructor(
    js: JetStreamClient,
    private readonly store: PostgresEventStore,
    private readonly drops: DropCounter,
    private readonly options: StatusIngestorOptions = {},
  ) {
    this.gate = new ReportGate(options.rate, options.backoff);
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    // Past the ack wait a dead gateway's reports are back: a gap still open then is given up.
    const onAckWait = (ackWaitMs: number) => {
      this.gaps.configure(ackWaitMs, options.gapHoldMs);
      this.keepUnackedAlive(ackWaitMs);
    };
    this.pull = new StatusPull(js, options, onAckWait, (msg) => this.take(msg));
  }

  start(): void {
    this.pull.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.wakeTimer);
    clearInterval(this.keepAlive);
    const pulled = this.pull.stop();
    this.wake?.();
    await pulled;
    while (this.running.size > 0) await Promise.all(this.running);
  }

  /**
   * Takes one pulled message. When the ingestor is full, returns a promise that resolves once
   * there is room for the next (backpressure); else nothing, so the pull goes on without a turn.
   */
  private take(msg: JsMsg): Promise<void> | undefined {
    this.accept(msg);
    return this.inFlight >= this.maxInFlight && !this.stopping ? this.untilRoom() : undefined;
  }

  private async untilRoom(): Promise<void> {
    while (this.inFlight >= this.maxInFlight && !this.stopping) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private accept(msg: JsMsg): void {
    const deviceId = deviceIdOfSubject(msg.subject, "status");
    if (deviceId === undefined) {
      this.drop(msg, "malformed", "?", `unexpected subject ${msg.subject.slice(0, 100)}`);
      return;
    }
    const parsed = parseDeviceMessage(msg.data, deviceId);
    if (!parsed.ok) {
      this.drop(msg, parsed.reason, deviceId, parsed.detail);
      return;
    }
    const { message } = parsed;
    const messageId =
      message.kind === "heartbeat"
        ? `${deviceId}:${message.bootId}:hb:${msg.seq}`
        : `${deviceId}:${message.bootId}:${message.seq}`;
    const arrived: ArrivedMessage = { message, messageId, receivedAt: this.receivedNow() };
    let span: Span | undefined;
    if (message.kind === "progress" && message.traceparent) {
      const attributes = { "statecast.device_id": deviceId, "statecast.status": message.status };
      const traced = continueTrace(
        "device-gateway",
        "gateway.status.ingest",
        message.traceparent,
        attributes,
      );
      span = traced.span;
      if (traced.traceparent) arrived.traceparent = traced.traceparent;
    }
    const queue = this.queues.get(deviceId) ?? [];
    if (this.gate.handBack(msg, deviceId, this.gaps.countedAgainstRate(queue, msg.seq))) return;
    this.inFlight++;
    let at = queue.length;
    while (at > 0 && queue[at - 1]!.msg.seq > msg.seq) at--;
    queue.splice(at, 0, { msg, arrived, span, pulledAt: Date.now() });
    this.queues.set(deviceId, queue);
    if (this.gaps.isHolding(deviceId)) this.notBefore.delete(deviceId); // it may fill the gap
    this.schedule();
  }

  /** Now as an ISO instant, formatted once a millisecond (a backlog arrives hundreds a millisecond). */
  private receivedNow(): string {
    const now = Date.now();
    if (now !== this.receivedAtMs) {
      this.receivedAtMs = now;
      this.receivedAt = new Date(now).toISOString();
    }
    return this.receivedAt;
  }

  /**
   * A report waits in its device's queue until a transaction takes it: with many pulled at once
   * (a backlog), or commits slowed down, that can outlast the consumer's ack wait, and JetStream
   * would hand it out again (then dropped as a duplicate: acked, no event lost, but work and a
   * drop counted). So every third of the ack wait each report queued (or in a transaction) that
   * long has its ack wait reset (`working`), as the gap hold does for the reports it holds.
   */
  private keepUnackedAlive(ackWaitMs: number): void {
    clearInterval(this.keepAlive);
    const every = Math.max(50, Math.floor(ackWaitMs / 3));
    this.keepAlive = setInterval(() => {
      const now = Date.now();
      for (const queue of [...this.queues.values(), ...this.committing])
        for (const q of queue) {
          if (now - (q.touchedAt ?? q.pulledAt) < every) continue;
          q.msg.working();
          q.touchedAt = now;
          this.ackWaitsReset++;
        }
    }, every);
    this.keepAlive.unref();
  }

  /** The reports of a device its rate allows now; the rest stay queued, in order. */
  private allowed(deviceId: string, queued: Queued[], now: number): Queued[] {
    const fresh = queued.filter((q) => !q.granted);
    if (fresh.length === 0) return queued;
    const { granted, waitMs } = this.gate.allow(deviceId, fresh, now);
    if (waitMs !== undefined) {
      this.notBefore.set(deviceId, now + waitMs);
      this.wakeIn(waitMs);
    }
    let tokens = granted;
    let taken = 0;
    for (const q of queued) {
      if (!q.granted) {
        if (tokens === 0) break;
        tokens--;
        q.granted = true;
      }
      taken++;
    }
    return queued.slice(0, taken);
  }

  /**
   * Schedules again when the earliest held-back device (by its rate, or waiting out a failed
   * commit) may go on. A timer that fires a millisecond early sets itself again from `schedule`.
   */
  private wakeIn(ms: number): void {
    const at = Date.now() + ms;
    if (this.stopping || (this.wakeTimer && this.wakeAt <= at)) return;
    clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.schedule();
    }, ms);
  }

  /** Starts transactions while there is room and queued devices not already in one. */
  private schedule(): void {
    const maxTransactions = this.options.maxTransactions ?? 4;
    const maxDevices = this.options.maxDevicesPerTransaction ?? 500;
    while (this.running.size < maxTransactions) {
      const picked: { deviceId: string; queued: Queued[] }[] = [];
      const now = Date.now();
      for (const [deviceId, queued] of this.queues) {
        if (this.busy.has(deviceId)) continue;
        const after = this.notBefore.get(deviceId);
        if (after !== undefined) {
          if (after > now) {
            this.wakeIn(after - now);
            continue;
          }
          this.notBefore.delete(deviceId);
        }
        const allowed = this.allowed(deviceId, queued, now);
        if (allowed.length === 0) continue;
        picked.push({ deviceId, queued: allowed });
        if (picked.length >= maxDevices) break;
      }
      if (picked.length === 0) return;
      for (const { deviceId, queued } of picked) {
        const rest = this.queues.get(deviceId)?.slice(queued.length) ?? [];
        if (rest.length > 0) this.queues.set(deviceId, rest);
        else this.queues.delete(deviceId);
        this.busy.add(deviceId);
        this.committing.add(queued);
      }
      const run = this.commit(picked).finally(() => {
        this.running.delete(run);
        for (const { deviceId, queued } of picked) {
          this.busy.delete(deviceId);
          this.committing.delete(queued);
          this.inFlight -= queued.length;
        }
        this.wake?.();
        this.schedule();
      });
      this.running.add(run);
    }
  }

  private async commit(picked: { deviceId: string; queued: Queued[] }[]): Promise<void> {
    const work: DeviceWork[] = picked.map(({ deviceId, queued }) => {
      const consumed = this.gaps.consumedOf(deviceId);
      const device: DeviceWork = { deviceId, messages: queued.map((q) => q.arrived) };
      if (consumed) device.consumed = consumed;
      return device;
    });
    let outcomes: Awaited<ReturnType<typeof applyDevicesTogether>>;
    try {
      outcomes = await applyDevicesTogether(this.store, work, this.states);
    } catch (error) {
      this.retry(picked, error);
      return;
    }
    const failed: { deviceId: string; queued: Queued[] }[] = [];
    let failure: Error | undefined;
    picked.forEach(({ deviceId, queued }, d) => {
      const outcome = outcomes[d];
      if (outcome instanceof Error || outcome === undefined) {
        failed.push({ deviceId, queued });
        failure ??= outcome;
        return;
      }
      const settled = settleFates(deviceId, queued, outcome, this.gaps, (...args) =>
        this.drop(...args),
      );
      this.applied += settled.applied;
      this.holdForGap(deviceId, settled.held);
    });
    if (failed.length > 0) this.retry(failed, failure);
  }

  /**
   * Reports held for a gap go back to the front of their device's queue, unacked, and are
   * decided again every GAP_RECHECK_MS (or as soon as a message of the device arrives) until the
   * gap is applied or given up.
   */
  private holdForGap(deviceId: string, held: { report: Queued; why: string }[]): void {
    const now = Date.now();
    const hold = this.gaps.holdDevice(deviceId, held, now);
    if (hold === "none") return;
    this.requeue(
      deviceId,
      held.map(({ report }) => report),
    );
    if (hold === "given_up") return;
    this.notBefore.set(deviceId, now + GAP_RECHECK_MS);
    this.wakeIn(GAP_RECHECK_MS);
  }

  /** Puts reports back into their device's queue, in stream order; settled by the next transaction. */
  private requeue(deviceId: string, reports: Queued[]): void {
    this.inFlight += reports.length;
    this.queues.set(deviceId, inStreamOrder(reports, this.queues.get(deviceId) ?? []));
  }

  /**
   * Reports whose events were not committed go back to the FRONT of their device's queue and
   * are tried again after `retryDelayMs`: handing them back to JetStream (nak) would let the
   * device's later reports overtake them, and they would then be dropped as stale. After
   * `maxAttempts` a report is nakked for redelivery after all.
   */
  private retry(picked: { deviceId: string; queued: Queued[] }[], error: unknown): void {
    const delay = this.options.retryDelayMs ?? 1_000;
    const maxAttempts = this.options.maxAttempts ?? 10;
    this.logger.warn(
      `reports of ${picked.length} device(s) not committed, retrying in ${delay} ms: ${(error as Error | undefined)?.message ?? "no outcome"}`,
    );
    const notBefore = Date.now() + delay;
    for (const { deviceId, queued } of picked) {
      const again = queued.filter((q) => {
        q.attempts = (q.attempts ?? 1) + 1;
        if (q.attempts <= maxAttempts) return true;
        q.span?.end();
        q.msg.nak(delay);
        return false;
      });
      if (again.length === 0) continue;
      this.requeue(deviceId, again);
      this.notBefore.set(deviceId, notBefore);
    }
    this.wakeIn(delay);
  }

  private drop(msg: JsMsg, reason: string, deviceId: string, detail: string): void {
    this.drops.drop(reason, deviceId, detail);
    msg.ack();
  }
}
