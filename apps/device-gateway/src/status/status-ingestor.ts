import type { ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { Logger } from "@nestjs/common";
import type { Span } from "@opentelemetry/api";
import { parseDeviceMessage } from "@statecast/device-domain";
import type { PostgresEventStore } from "@statecast/events";
import { continueTrace } from "@statecast/platform";
import {
  type ArrivedMessage,
  applyDevicesTogether,
  type DeviceWork,
} from "./device-report-applier.js";
import type { DropCounter } from "./drop-counter.js";
import { deviceIdOfSubject, STATUS_CONSUMER, STATUS_STREAM } from "./status-stream.js";

export interface StatusIngestorOptions {
  /** Messages pulled but not yet acked, across devices (backpressure; default 4,000). */
  maxInFlight?: number;
  /** Delay before a report whose events could not be committed is delivered again. */
  retryDelayMs?: number;
  /** Transactions running at once (default 4) and devices in one transaction (default 500). */
  maxTransactions?: number;
  maxDevicesPerTransaction?: number;
}

interface Queued {
  msg: JsMsg;
  arrived: ArrivedMessage;
  /** Ingestion of a report that carries its apply's trace context, until acked. */
  span?: Span;
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
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  applied = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly store: PostgresEventStore,
    private readonly drops: DropCounter,
    private readonly options: StatusIngestorOptions = {},
  ) {}

  start(): void {
    this.loop = this.pull().catch((error: unknown) => {
      if (!this.stopping) this.logger.error(`status consumer stopped: ${(error as Error).message}`);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.messages?.stop();
    this.wake?.();
    await this.loop;
    while (this.running.size > 0) await Promise.all(this.running);
  }

  private async pull(): Promise<void> {
    const limit = this.options.maxInFlight ?? 4_000;
    const consumer = await this.js.consumers.get(STATUS_STREAM, STATUS_CONSUMER);
    this.messages = await consumer.consume({ max_messages: Math.min(limit, 1_000) });
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

  private accept(msg: JsMsg): void {
    const deviceId = deviceIdOfSubject(msg.subject);
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
    this.inFlight++;
    const queue = this.queues.get(deviceId);
    if (queue) queue.push({ msg, arrived, span });
    else this.queues.set(deviceId, [{ msg, arrived, span }]);
    this.schedule();
  }

  /** Starts transactions while there is room and queued devices not already in one. */
  private schedule(): void {
    const maxTransactions = this.options.maxTransactions ?? 4;
    const maxDevices = this.options.maxDevicesPerTransaction ?? 500;
    while (this.running.size < maxTransactions) {
      const picked: { deviceId: string; queued: Queued[] }[] = [];
      for (const [deviceId, queued] of this.queues) {
        if (this.busy.has(deviceId)) continue;
        picked.push({ deviceId, queued });
        if (picked.length >= maxDevices) break;
      }
      if (picked.length === 0) return;
      for (const { deviceId } of picked) {
        this.queues.delete(deviceId);
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
      outcomes = await applyDevicesTogether(this.store, work);
    } catch (error) {
      this.logger.warn(
        `reports of ${picked.length} device(s) not committed, redelivering: ${(error as Error).message}`,
      );
      for (const { queued } of picked)
        for (const { msg, span } of queued) {
          span?.end();
          msg.nak(this.options.retryDelayMs ?? 1_000);
        }
      return;
    }
    picked.forEach(({ deviceId, queued }, d) => {
      (outcomes[d] ?? []).forEach((fate, i) => {
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

  private drop(msg: JsMsg, reason: string, deviceId: string, detail: string): void {
    this.drops.drop(reason, deviceId, detail);
    msg.ack();
  }
}
