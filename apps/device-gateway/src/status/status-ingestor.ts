import type { ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { Logger } from "@nestjs/common";
import { parseDeviceMessage } from "@statecast/device-domain";
import type { PostgresEventStore } from "@statecast/events";
import { type ArrivedMessage, applyDeviceMessages } from "./device-report-applier.js";
import type { DropCounter } from "./drop-counter.js";
import { deviceIdOfSubject, STATUS_CONSUMER, STATUS_STREAM } from "./status-stream.js";

export interface StatusIngestorOptions {
  /** Messages pulled but not yet acked, across devices (backpressure; default 4,000). */
  maxInFlight?: number;
  /** Delay before a report whose events could not be committed is delivered again. */
  retryDelayMs?: number;
}

interface Queued {
  msg: JsMsg;
  arrived: ArrivedMessage;
}

/**
 * Pulls `SC_DEVICE_STATUS` through the shared durable consumer. Messages of one device are
 * applied in arrival order, one append at a time (those that queue up meanwhile go together in
 * the next append); devices run concurrently. A message is acked only after its events
 * committed, or when it was dropped on purpose; a failed commit naks it for redelivery.
 */
export class StatusIngestor {
  private readonly logger = new Logger("StatusIngestion");
  private readonly queues = new Map<string, Queued[]>();
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
    const arrived = { message, messageId, receivedAt: new Date().toISOString() };
    const queue = this.queues.get(deviceId);
    this.inFlight++;
    if (queue) {
      queue.push({ msg, arrived });
      return;
    }
    this.queues.set(deviceId, [{ msg, arrived }]);
    const run = this.drain(deviceId).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private async drain(deviceId: string): Promise<void> {
    for (;;) {
      const queue = this.queues.get(deviceId) ?? [];
      const batch = queue.splice(0, queue.length);
      if (batch.length === 0) {
        this.queues.delete(deviceId);
        return;
      }
      await this.applyBatch(deviceId, batch);
      this.inFlight -= batch.length;
      this.wake?.();
    }
  }

  private async applyBatch(deviceId: string, batch: Queued[]): Promise<void> {
    try {
      const fates = await applyDeviceMessages(
        this.store,
        deviceId,
        batch.map((q) => q.arrived),
      );
      fates.forEach((fate, i) => {
        const msg = batch[i]!.msg;
        if (fate.applied) {
          this.applied++;
          msg.ack();
        } else if (fate.reason === "no_change") {
          msg.ack();
        } else {
          this.drop(msg, fate.reason, deviceId, fate.detail);
        }
      });
    } catch (error) {
      this.logger.warn(
        `reports of ${deviceId} not committed, redelivering: ${(error as Error).message}`,
      );
      for (const { msg } of batch) msg.nak(this.options.retryDelayMs ?? 1_000);
    }
  }

  private drop(msg: JsMsg, reason: string, deviceId: string, detail: string): void {
    this.drops.drop(reason, deviceId, detail);
    msg.ack();
  }
}
