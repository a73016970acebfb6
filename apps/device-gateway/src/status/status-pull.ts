import { setTimeout as sleep } from "node:timers/promises";
import type { ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { Logger } from "@nestjs/common";
import { DEFAULT_MAX_IN_FLIGHT, type StatusIngestorOptions } from "./status-ingestor.options.js";
import { STATUS_CONSUMER, STATUS_STREAM } from "./status-stream.js";

/** A pull that ran this long before it ended starts the resume backoff over. */
const HEALTHY_PULL_MS = 60_000;
const MAX_RESUME_DELAY_MS = 30_000;

/**
 * The ingestor's pull of the shared durable status consumer: each message goes to `take`, one at
 * a time (when the ingestor is full, `take` returns a promise that resolves once there is room for
 * the next); at the start of each pull the consumer's ack wait goes to `onAckWait`. The pull never
 * ends for good before `stop`.
 */
export class StatusPull {
  private readonly logger = new Logger("StatusIngestion");
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private pause: AbortController | undefined;
  /** Times the pull ended (error, consumer deleted, …) and was started again. */
  resumed = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly options: Pick<
      StatusIngestorOptions,
      "maxInFlight" | "ensureConsumer" | "resumeDelayMs"
    >,
    private readonly onAckWait: (ackWaitMs: number) => void,
    /** Takes a message; returns a promise only when the next must wait for room (backpressure). */
    private readonly take: (msg: JsMsg) => Promise<void> | undefined,
  ) {}

  start(): void {
    this.loop = this.pullUntilStopped();
  }

  /** Ends the pull; messages pulled but not taken are redelivered after the ack wait. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.pause?.abort();
    this.messages?.stop();
    await this.loop;
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
    const limit = this.options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    const consumer = await this.js.consumers.get(STATUS_STREAM, STATUS_CONSUMER);
    this.onAckWait(Math.ceil(((await consumer.info(true)).config.ack_wait ?? 30e9) / 1e6));
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
      // Awaited only when there is no room: an await per message is a promise and a microtask
      // turn for each of a backlog's reports.
      const full = this.take(msg);
      if (full) await full;
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
}
