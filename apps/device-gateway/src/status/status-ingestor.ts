import { setTimeout as sleep } from "node:timers/promises";
import type { ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { Logger } from "@nestjs/common";
import type { Span } from "@opentelemetry/api";
import { deviceIdOfSubject, parseDeviceMessage } from "@statecast/contract";
import type { PostgresEventStore } from "@statecast/events";
import { continueTrace } from "@statecast/platform";
import {
  type ArrivedMessage,
  applyDevicesTogether,
  consumedWithoutEvent,
  type DeviceWork,
} from "./device-report-applier.js";
import { DeviceStateCache } from "./device-state-cache.js";
import type { DropCounter } from "./drop-counter.js";
import { GAP_RECHECK_MS, type HeldReport, ReportGapHold } from "./report-gap-hold.js";
import { ReportGate } from "./report-gate.js";
import type { ReportRateOptions } from "./report-rate.js";
import { STATUS_CONSUMER, STATUS_STREAM } from "./status-stream.js";

export interface StatusIngestorOptions {
  /** Messages pulled but not yet acked, across devices (backpressure; default 4,000). */
  maxInFlight?: number;
  /** Delay before reports whose events could not be committed are tried again (default 1 s). */
  retryDelayMs?: number;
  /** Commits tried for one report before it is handed back to JetStream (default 10). */
  maxAttempts?: number;
  /** Transactions running at once (default 4) and devices in one transaction (default 500). */
  maxTransactions?: number;
  maxDevicesPerTransaction?: number;
  /** Each device's report rate (see ReportRate). */
  rate?: ReportRateOptions;
  /** Tells a device over its rate when to send again (`sc.inbox.<id>.backoff`). */
  backoff?: (deviceId: string, retryAfterMs: number) => void;
  /** Creates the stream and the consumer when missing; run before each resumed pull. */
  ensureConsumer?: () => Promise<void>;
  /** Waits before pulling again after the pull ended: `resumeDelayMs` doubling to 30 s (default 500 ms). */
  resumeDelayMs?: number;
  /**
   * How long a report that came ahead of earlier ones of its boot waits for them before they are
   * given up (default: the status consumer's ack wait + 5 s, when a dead gateway's are back).
   */
  gapHoldMs?: number;
}

/** A pull that ran this long before it ended starts the resume backoff over. */
const HEALTHY_PULL_MS = 60_000;
const MAX_RESUME_DELAY_MS = 30_000;

interface Queued extends HeldReport {
  msg: JsMsg;
  arrived: ArrivedMessage;
  /** Ingestion of a report that carries its apply's trace context, until acked. */
  span?: Span;
  /** Commits tried so far (absent: none failed yet). */
  attempts?: number;
  /** Held back at least once by its device's rate (counted once). */
  limited?: boolean;
  /** Let through by its device's rate already (a report held for a gap takes no token again). */
  granted?: boolean;
}

/** Merges two queues of a device, each in stream order, into one in stream order. */
function inStreamOrder(a: Queued[], b: Queued[]): Queued[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return [...a, ...b].sort((x, y) => x.msg.seq - y.msg.seq);
}

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
  private readonly states = new DeviceStateCache();
  /** Devices whose last commit failed: not scheduled before this time (ms). */
  private readonly notBefore = new Map<string, number>();
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private pause: AbortController | undefined;
  private readonly gate: ReportGate;
  private readonly gaps = new ReportGapHold();
  /** Devices with reports held for a gap: a message of theirs arriving is decided at once. */
  private readonly holding = new Set<string>();
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = 0;
  applied = 0;
  /** Times the pull of the status consumer ended (error, consumer deleted, …) and was started again. */
  resumed = 0;

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
    private readonly js: JetStreamClient,
    private readonly store: PostgresEventStore,
    private readonly drops: DropCounter,
    private readonly options: StatusIngestorOptions = {},
  ) {
    this.gate = new ReportGate(options.rate, options.backoff);
  }

  start(): void {
    this.loop = this.pullUntilStopped();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.wakeTimer);
    this.pause?.abort();
    this.messages?.stop();
    this.wake?.();
    await this.loop;
    while (this.running.size > 0) await Promise.all(this.running);
  }

  /**
   * Pulls until `stop`. A pull that ends on its own (a terminal JetStream error, the consumer
   * deleted, the connection closed) is started again after a backoff, the consumer created again
   * when missing: reports left unacked are redelivered, so each still becomes one event.
   */
  private async pullUntilStopped(): Promise<void> {
    let delay = this.options.resumeDelayMs ?? 500;
    while (!this.stopping) {
      const began = Date.now();
      let why = "its messages ended";
      try {
        await this.pull();
      } catch (error) {
        why = (error as Error).message;
      }
      if (this.stopping) return;
      if (Date.now() - began > HEALTHY_PULL_MS) delay = this.options.resumeDelayMs ?? 500;
      this.resumed++;
      this.logger.warn(`status consumer pull stopped (${why}); pulling again in ${delay} ms`);
      this.pause = new AbortController();
      await sleep(delay, undefined, { signal: this.pause.signal }).catch(() => undefined);
      delay = Math.min(delay * 2, MAX_RESUME_DELAY_MS);
    }
  }

  private async pull(): Promise<void> {
    if (this.resumed > 0) await this.options.ensureConsumer?.();
    const limit = this.options.maxInFlight ?? 4_000;
    const consumer = await this.js.consumers.get(STATUS_STREAM, STATUS_CONSUMER);
    // Past the ack wait a dead gateway's reports are back: a gap still open then is given up.
    const ackWaitMs = Math.ceil(((await consumer.info(true)).config.ack_wait ?? 30e9) / 1e6);
    this.gaps.configure(ackWaitMs, this.options.gapHoldMs);
    // Pulls expire after 5 s (heartbeats every 2.5 s): after a JetStream leader change (a cluster
    // node lost) the client re-pulls once two heartbeats are missed — 5 s instead of the 30 s the
    // default 30 s expiry gives, a stall every device report would wait out.
    // A deleted consumer ends the pull (instead of the client asking for it forever), so that
    // it is created again.
    this.messages = await consumer.consume({
      max_messages: Math.min(limit, 1_000),
      expires: 5_000,
      abort_on_missing_resource: true,
    });
    void this.logNotices(this.messages);
    for await (const msg of this.messages) {
      if (this.stopping) break; // not acked: redelivered to a replica after ack_wait
      this.accept(msg);
      while (this.inFlight >= limit && !this.stopping) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    }
  }

  /** What the JetStream client notices about the pull that may explain a stall, logged. */
  private async logNotices(messages: ConsumerMessages): Promise<void> {
    const notable = [
      "heartbeats_missed",
      "consumer_deleted",
      "consumer_not_found",
      "stream_not_found",
    ];
    for await (const notice of messages.status()) {
      if (notable.includes(notice.type))
        this.logger.warn(`status consumer: ${JSON.stringify(notice)}`);
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
    const arrived: ArrivedMessage = { message, messageId, receivedAt: new Date().toISOString() };
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
    if (this.gate.handBack(msg, deviceId, this.heldBefore(deviceId, msg.seq))) return;
    this.inFlight++;
    const queue = this.queues.get(deviceId) ?? [];
    let at = queue.length;
    while (at > 0 && queue[at - 1]!.msg.seq > msg.seq) at--;
    queue.splice(at, 0, { msg, arrived, span });
    this.queues.set(deviceId, queue);
    if (this.holding.has(deviceId)) this.notBefore.delete(deviceId); // it may fill the gap
    this.schedule();
  }

  /**
   * The device's reports in memory that count against its rate's `maxHeld` for a message at
   * stream sequence `seq`: none when it came before the reports held for a gap (it may be the
   * gap: handed back, it would find the held ones still there, and be handed back for good).
   */
  private heldBefore(deviceId: string, seq: number): number {
    const queued = this.queues.get(deviceId) ?? [];
    const firstHeld = queued.find((q) => q.heldSince !== undefined);
    return firstHeld && seq < firstHeld.msg.seq ? 0 : queued.length;
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
      }
      const run = this.commit(picked).finally(() => {
        this.running.delete(run);
        for (const { deviceId, queued } of picked) {
          this.busy.delete(deviceId);
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
      return {
        deviceId,
        messages: queued.map((q) => q.arrived),
        ...(consumed ? { consumed } : {}),
      };
    });
    let outcomes: Awaited<ReturnType<typeof applyDevicesTogether>>;
    try {
      outcomes = await applyDevicesTogether(this.store, work, this.states);
    } catch (error) {
      this.retry(picked, error);
      return;
    }
    picked.forEach(({ deviceId, queued }, d) => {
      const outcome = outcomes[d];
      if (outcome instanceof Error || outcome === undefined) {
        this.retry([{ deviceId, queued }], outcome);
        return;
      }
      const held: { q: Queued; why: string }[] = [];
      outcome.forEach((fate, i) => {
        const q = queued[i]!;
        if (!fate.applied && fate.reason === "held") {
          held.push({ q, why: fate.detail });
          return;
        }
        q.span?.end();
        if (fate.applied) {
          this.applied++;
          if (fate.skipped) this.gaps.gaveUp(deviceId, fate.skipped);
          q.msg.ack();
        } else if (fate.reason === "no_change") {
          q.msg.ack();
        } else {
          const { message } = q.arrived;
          if (consumedWithoutEvent(fate) && message.kind !== "heartbeat")
            this.gaps.consumed(deviceId, message);
          this.drop(q.msg, fate.reason, deviceId, fate.detail);
        }
      });
      this.holdForGap(deviceId, held);
    });
  }

  /**
   * Reports held for a gap go back to the front of their device's queue, unacked, and are
   * decided again every GAP_RECHECK_MS (or as soon as a message of the device arrives) until the
   * gap is applied or given up.
   */
  private holdForGap(deviceId: string, held: { q: Queued; why: string }[]): void {
    if (held.length === 0) {
      this.holding.delete(deviceId);
      return;
    }
    const now = Date.now();
    let givenUp = false;
    for (const { q, why } of held) givenUp = this.gaps.hold(q, now, why) || givenUp;
    this.inFlight += held.length; // settled by the transaction that takes them next
    const queued = held.map(({ q }) => q);
    this.queues.set(deviceId, inStreamOrder(queued, this.queues.get(deviceId) ?? []));
    this.holding.add(deviceId);
    if (givenUp) return;
    this.notBefore.set(deviceId, now + GAP_RECHECK_MS);
    this.wakeIn(GAP_RECHECK_MS);
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
      this.inFlight += again.length; // settled by the transaction that takes them next
      this.queues.set(deviceId, inStreamOrder(again, this.queues.get(deviceId) ?? []));
      this.notBefore.set(deviceId, notBefore);
    }
    this.wakeIn(delay);
  }

  private drop(msg: JsMsg, reason: string, deviceId: string, detail: string): void {
    this.drops.drop(reason, deviceId, detail);
    msg.ack();
  }
}
