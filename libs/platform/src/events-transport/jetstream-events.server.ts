import { setTimeout as sleep } from "node:timers/promises";
import { type ConsumerMessages, type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { type CustomTransportStrategy, type MessageHandler, Server } from "@nestjs/microservices";
import { lastValueFrom } from "rxjs";
import type { ConsumerLease, ConsumerLeases } from "./consumer-lease.js";
import { accepts, type DurableConsumerSpec, ensureConsumer, keyOf } from "./durable-consumer.js";
import type { JetStreamEventPattern } from "./event-pattern.js";
import { JetStreamEventContext } from "./jetstream-event.context.js";
import { KeyedLanes } from "./keyed-lanes.js";
import { RecentIds } from "./recent-ids.js";
import { errorReply, type ServiceReply } from "./service-request.js";

export type { DurableConsumerSpec } from "./durable-consumer.js";

export interface JetStreamEventsOptions {
  stream: string;
  consumers: readonly DurableConsumerSpec[];
  /** The handler's argument from a message body (default: the body as JSON). */
  decode?: (body: string) => unknown;
  /** Delay before redelivery after the n-th failed attempt; the last one repeats. */
  backoffMs?: readonly number[];
  /** How long a delivery may go unacknowledged (a running handler extends it). Default 30 s. */
  ackWaitMs?: number;
  /** Queue group of the `@MessagePattern` subscriptions: one replica answers each request. */
  queue?: string;
  /** Who may run a consumer with more than one message in flight (required for those). */
  leases?: ConsumerLeases;
}

const DEFAULT_BACKOFF_MS = [250, 1_000, 5_000, 15_000, 30_000];
const EVENT_TYPE_HEADER = "Sc-Event-Type";
const MESSAGE_ID_HEADER = "Nats-Msg-Id";

/**
 * A Nest transport that binds `@EventPattern` handlers (see `OnStreamEvent`) to durable JetStream
 * pull consumers. Each consumer keeps one message in flight (`max_ack_pending` 1), so its handlers
 * see the stream in order even with several replicas pulling; a message is acknowledged only after
 * every handler of its type succeeded, and a failure is negatively acknowledged with a growing
 * delay and delivered again (never skipped). The consumer is durable, so a restarted service
 * resumes after the last acknowledged message. An event id acknowledged here is dropped if
 * delivered again (an ack lost on the wire); across restarts the handlers' effects are idempotent.
 * Messages of a type no handler takes are acknowledged unread.
 *
 * `@MessagePattern(subject)` handlers answer core NATS requests on that subject (queue group
 * `queue`, so one replica answers): the reply is `{ok: true, data}` or `{ok: false, error:
 * {code, message}}` with the code of the one error tree, which `requestService` turns back into
 * the same error class.
 */
export class JetStreamEventsServer extends Server implements CustomTransportStrategy {
  private closed = false;
  /** Aborted by close(): ends a wait before a consumer is opened again. */
  private readonly closing = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly running = new Set<ConsumerMessages>();
  private readonly handled = new Map<string, RecentIds>();
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: JetStreamEventsOptions,
  ) {
    super();
  }

  listen(callback: () => void): void {
    for (const spec of this.options.consumers) {
      const leased = (spec.inFlight ?? 1) > 1;
      if (leased && !this.options.leases)
        throw new Error(
          `consumer ${spec.name}: ${spec.inFlight} messages in flight need leases (one replica at a time)`,
        );
      this.handled.set(spec.name, new RecentIds(4_096));
      this.loops.push(leased ? this.runLeased(spec) : this.run(spec));
    }
    for (const [pattern, handler] of this.messageHandlers) {
      if (handler.isEventHandler) continue;
      this.subscriptions.push(
        this.nc.subscribe(pattern, {
          queue: this.options.queue ?? "statecast",
          callback: (error, msg) => {
            if (!error) void this.answer(handler, msg);
          },
        }),
      );
    }
    callback();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    for (const messages of this.running) messages.stop();
    await Promise.all(this.loops);
  }

  on(): void {
    // No transport events to listen to: the consumers' state shows in their loops' logs.
  }

  unwrap<T>(): T {
    return this.nc as T;
  }

  private get ackWaitMs(): number {
    return this.options.ackWaitMs ?? 30_000;
  }

  /** Consumes until closed; a lost consumer or stream (not created yet) is opened again. */
  private async run(spec: DurableConsumerSpec): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      try {
        const messages = await this.open(spec, true);
        failures = 0;
        try {
          for await (const message of messages) {
            if (this.closed) break; // not acknowledged: delivered again, to a replica or later
            if (!(await this.deliver(spec, message, message.info.deliveryCount))) {
              const delay = this.delayAfter(message.info.deliveryCount);
              message.nak(delay);
            }
          }
        } finally {
          this.running.delete(messages);
        }
      } catch (error) {
        if (this.closed) return;
        this.warnNotRunning(spec, error);
        await this.pause(this.delayAfter(++failures));
      }
    }
  }

  /**
   * Consumes while this replica holds the consumer's lease, `inFlight` messages at a time, those
   * of one key (the stream key: a device) handled in stream order, up to `concurrency` keys at
   * once: a failed one is tried again here (never negatively acknowledged, which
   * would let newer messages pass it) until it succeeds, the lease is lost or the server closes.
   * Messages are acknowledged without waiting for the server's confirmation; one whose
   * acknowledgement was lost comes again and is recognised by its stream sequence.
   */
  private async runLeased(spec: DurableConsumerSpec): Promise<void> {
    const leases = this.options.leases!;
    let failures = 0;
    while (!this.closed) {
      let lease: ConsumerLease;
      try {
        const preferred = spec.preferred ?? true;
        lease = await leases.acquire(spec.name, { preferred, signal: this.closing.signal });
      } catch (error) {
        if (this.closed) return;
        this.warnNotRunning(spec, error);
        await this.pause(this.delayAfter(++failures));
        continue;
      }
      try {
        this.logger.log?.(`consumer ${spec.name}: lease taken, ${spec.inFlight} in flight`);
        await this.consumeLeased(spec, lease);
        failures = 0;
      } catch (error) {
        if (!this.closed) this.warnNotRunning(spec, error);
        failures++;
      } finally {
        await lease.release().catch(() => undefined);
      }
      if (!this.closed) await this.pause(this.delayAfter(Math.max(failures, 1)));
    }
  }

  private async consumeLeased(spec: DurableConsumerSpec, lease: ConsumerLease): Promise<void> {
    const messages = await this.open(spec, true);
    const stop = () => messages.stop();
    lease.lost.addEventListener("abort", stop, { once: true });
    if (lease.lost.aborted) messages.stop();
    const stopped = AbortSignal.any([lease.lost, this.closing.signal]);
    const lanes = new KeyedLanes(spec.concurrency ?? 1);
    let through = 0;
    try {
      for await (const message of messages) {
        if (stopped.aborted) break; // not acknowledged: the next holder starts from the floor
        const seq = message.info.streamSequence;
        // At or below `through`: handed to a lane already, come again for a lost acknowledgement.
        // Most events of a filter need nothing here (13 of a device's 15 in a rollout for the
        // gateway's target consumer): acknowledged at once, without a lane or a timer.
        if (seq > through && accepts(spec, message.subject) && this.handlerOf(spec, message)) {
          await lanes.run(keyOf(message.subject), () =>
            this.deliverInOrder(spec, message, stopped),
          );
        } else message.ack();
        through = Math.max(through, seq);
      }
    } finally {
      await lanes.drain();
      lease.lost.removeEventListener("abort", stop);
      this.running.delete(messages);
    }
    if (lease.lost.aborted && !this.closed) throw lease.lost.reason;
  }

  /** The consumer's handler of the message's event type (its `EVENT_TYPE_HEADER`), if any. */
  private handlerOf(spec: DurableConsumerSpec, message: JsMsg) {
    const type = message.headers?.get(EVENT_TYPE_HEADER) ?? "";
    const pattern: JetStreamEventPattern & Record<string, string> = {
      consumer: spec.handlers ?? spec.name,
      type,
    };
    return this.getHandlerByPattern(this.normalizePattern(pattern));
  }

  /** Handles one message until it succeeds (true) or `stopped` aborts (false). */
  private async deliverInOrder(
    spec: DurableConsumerSpec,
    message: JsMsg,
    stopped: AbortSignal,
  ): Promise<boolean> {
    const keepAlive = setInterval(() => message.working(), this.ackWaitMs / 3);
    try {
      for (let attempt = 1; ; attempt++) {
        if (await this.deliver(spec, message, attempt)) return true;
        const waited = await sleep(this.delayAfter(attempt), true, { signal: stopped }).catch(
          () => false,
        );
        if (!waited) return false;
      }
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** The consumer, made or brought to its spec, consuming (stopped by close()). */
  private async open(spec: DurableConsumerSpec, reset: boolean): Promise<ConsumerMessages> {
    const jsm = await jetstreamManager(this.nc);
    await ensureConsumer(jsm, this.options.stream, spec, { ackWaitMs: this.ackWaitMs, reset });
    const consumer = await jetstream(this.nc).consumers.get(this.options.stream, spec.name);
    const messages = await consumer.consume({ max_messages: Math.max(16, spec.inFlight ?? 1) });
    this.running.add(messages);
    // close() may have run while this consumer was being opened: it could not stop it then.
    if (this.closed) messages.stop();
    return messages;
  }

  /**
   * Runs the handlers of one message (attempt `attempt`): true once it is handled and
   * acknowledged (or needs no handling), false when a handler failed (the caller retries).
   */
  private async deliver(spec: DurableConsumerSpec, message: JsMsg, attempt: number) {
    const consumer = spec.name;
    const type = message.headers?.get(EVENT_TYPE_HEADER) ?? "";
    const id = message.headers?.get(MESSAGE_ID_HEADER) ?? `seq:${message.seq}`;
    const handler = this.handlerOf(spec, message);
    const handled = this.handled.get(consumer)!;
    if (!handler || handled.has(id)) {
      message.ack();
      return true;
    }
    let data: unknown;
    try {
      data = (this.options.decode ?? JSON.parse)(message.string());
    } catch (error) {
      // Only a foreign publisher can cause this; the event stays in the record (Postgres).
      this.logger.error(
        `${consumer}: ${type} ${id} is unreadable, dropped: ${(error as Error).message}`,
      );
      message.term();
      return true;
    }
    const keepAlive = setInterval(() => message.working(), this.ackWaitMs / 3);
    try {
      await this.invoke(handler, data, new JetStreamEventContext([message, consumer]));
      handled.add(id);
      if ((spec.inFlight ?? 1) > 1) message.ack();
      else await message.ackAck().catch(() => undefined);
      return true;
    } catch (error) {
      this.logger.warn?.(
        `${consumer}: ${type} ${id} failed (attempt ${attempt}), again in ${this.delayAfter(attempt)} ms: ${describe(error)}`,
      );
      return false;
    } finally {
      clearInterval(keepAlive);
    }
  }

  private warnNotRunning(spec: DurableConsumerSpec, error: unknown): void {
    this.logger.warn?.(
      `consumer ${spec.name} on ${this.options.stream} not running, retrying: ${describe(error)}`,
    );
  }

  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.closing.signal }).catch(() => undefined);
  }

  private async answer(handler: MessageHandler, msg: Msg): Promise<void> {
    let reply: ServiceReply;
    try {
      const result = await handler(msg.json(), undefined);
      reply = { ok: true, data: await lastValueFrom(this.transformToObservable(result)) };
    } catch (error) {
      if (!(error instanceof Error && "code" in error))
        this.logger.error(`${msg.subject}: ${describe(error)}`);
      reply = errorReply(error);
    }
    if (msg.reply) msg.respond(JSON.stringify(reply));
  }

  /** Runs every handler bound to the pattern, in order; rejects with the first failure. */
  private async invoke(
    first: MessageHandler,
    data: unknown,
    context: JetStreamEventContext,
  ): Promise<void> {
    for (let handler: MessageHandler | undefined = first; handler; handler = handler.next) {
      const result = await handler(data, context);
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    }
  }

  private delayAfter(attempt: number): number {
    const steps = this.options.backoffMs ?? DEFAULT_BACKOFF_MS;
    return steps[Math.min(Math.max(attempt, 1), steps.length) - 1] ?? 1_000;
  }
}

/** A handler failure as Nest's RPC filter passes it on (an object with a message) or an Error. */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error && "message" in error) return String(error.message);
  return String(error);
}
