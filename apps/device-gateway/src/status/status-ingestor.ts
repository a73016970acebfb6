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
  type DeviceWork,
} from "./device-report-applier.js";
import { DeviceStateCache } from "./device-state-cache.js";
import type { DropCounter } from "./drop-counter.js";
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
}

/** A pull that ran this long before it ended starts the resume backoff over. */
const HEALTHY_PULL_MS = 60_000;
const MAX_RESUME_DELAY_MS = 30_000;

interface Queued {
  msg: JsMsg;
  arrived: ArrivedMessage;
  /** Ingestion of a report that carries its apply's trace context, until acked. */
  span?: Span;
  /** Commits tried so far (absent: none failed yet). */
  attempts?: number;
  /** Held back at least once by its device's rate (counted once). */
  limited?: boolean;
}

/**
 * Pulls `SC_DEVICE_STATUS` through the shared durable consumer. Messages of one device are
 * applied in arrival order with at most one transaction per device at a time; what queues up
 * meanwhile, across devices, goes into the next transaction together (group commit). A message
 * is acked only after its events committed, or when it was dropped on purpose; a failed commit
 * naks it for redelivery.
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
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = 0;
  applied = 0;
  /** Times the pull of the status consumer ended (error, consumer deleted, …) and was started again. */
  resumed = 0;

  /** Reports held back or handed back because their device was over its rate (none is lost). */
  get rateLimited(): number {
    return this.gate.limited;
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
    if (this.gate.handBack(msg, deviceId, this.queues.get(deviceId)?.length ?? 0)) return;
    this.inFlight++;
    const queue = this.queues.get(deviceId);
    if (queue) queue.push({ msg, arrived, span });
    else this.queues.set(deviceId, [{ msg, arrived, span }]);
    this.schedule();
  }

  /** The reports of a device its rate allows now; the rest stay queued, in order. */
  private allowed(deviceId: string, queued: Queued[], now: number): Queued[] {
    const { granted, waitMs } = this.gate.allow(deviceId, queued, now);
    if (waitMs !== undefined) {
      this.notBefore.set(deviceId, now + waitMs);
      this.wakeIn(waitMs);
    }
    return queued.slice(0, granted);
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
    const work: DeviceWork[] = picked.map(({ deviceId, queued }) => ({
      deviceId,
      messages: queued.map((q) => q.arrived),
    }));
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
      outcome.forEach((fate, i) => {
        const { msg, span } = queued[i]!;
        span?.end();
        if (fate.applied) {
          this.applied++;
          msg.ack();
        } else if (fate.reason === "no_change") {
          msg.ack();
        } else {
          this.drop(msg, fate.reason, deviceId, fate.detail);
        }
      });
    });
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
      this.queues.set(deviceId, [...again, ...(this.queues.get(deviceId) ?? [])]);
      this.notBefore.set(deviceId, notBefore);
    }
    this.wakeIn(delay);
  }

  private drop(msg: JsMsg, reason: string, deviceId: string, detail: string): void {
    this.drops.drop(reason, deviceId, detail);
    msg.ack();
  }
}
