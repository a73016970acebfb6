import { setTimeout as sleep } from "node:timers/promises";
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  DeliverPolicy,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import { type Msg, type NatsConnection, nanos, type Subscription } from "@nats-io/transport-node";
import { type CustomTransportStrategy, type MessageHandler, Server } from "@nestjs/microservices";
import { lastValueFrom } from "rxjs";
import type { JetStreamEventPattern } from "./event-pattern.js";
import { JetStreamEventContext } from "./jetstream-event.context.js";
import { RecentIds } from "./recent-ids.js";
import { errorReply, type ServiceReply } from "./service-request.js";

/** One durable consumer: its name (what `OnStreamEvent` names) and the subjects it reads. */
export interface DurableConsumerSpec {
  name: string;
  filterSubject: string;
}

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
      this.handled.set(spec.name, new RecentIds(4_096));
      this.loops.push(this.run(spec));
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
        const consumer = await this.open(spec);
        const messages = await consumer.consume({ max_messages: 16 });
        this.running.add(messages);
        // close() may have run while this consumer was being opened: it could not stop it then.
        if (this.closed) messages.stop();
        failures = 0;
        try {
          for await (const message of messages) {
            if (this.closed) break; // not acknowledged: delivered again, to a replica or later
            await this.deliver(spec.name, message);
          }
        } finally {
          this.running.delete(messages);
        }
      } catch (error) {
        if (this.closed) return;
        this.logger.warn?.(
          `consumer ${spec.name} on ${this.options.stream} not running, retrying: ${(error as Error).message}`,
        );
        await sleep(this.delayAfter(++failures), undefined, { signal: this.closing.signal }).catch(
          () => undefined,
        );
      }
    }
  }

  private async open(spec: DurableConsumerSpec) {
    const jsm = await jetstreamManager(this.nc);
    const config: Partial<ConsumerConfig> = {
      durable_name: spec.name,
      filter_subject: spec.filterSubject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: 1,
      ack_wait: nanos(this.ackWaitMs),
      max_deliver: -1,
    };
    const existing = await jsm.consumers.info(this.options.stream, spec.name).catch(() => null);
    if (!existing) await jsm.consumers.add(this.options.stream, config);
    else if (existing.config.filter_subject !== spec.filterSubject) {
      await jsm.consumers.update(this.options.stream, spec.name, {
        filter_subject: spec.filterSubject,
      });
    }
    return jetstream(this.nc).consumers.get(this.options.stream, spec.name);
  }

  private async deliver(consumer: string, message: JsMsg): Promise<void> {
    const type = message.headers?.get(EVENT_TYPE_HEADER) ?? "";
    const id = message.headers?.get(MESSAGE_ID_HEADER) ?? `seq:${message.seq}`;
    const pattern: JetStreamEventPattern & Record<string, string> = { consumer, type };
    const handler = this.getHandlerByPattern(this.normalizePattern(pattern));
    const handled = this.handled.get(consumer)!;
    if (!handler || handled.has(id)) {
      message.ack();
      return;
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
      return;
    }
    const keepAlive = setInterval(() => message.working(), this.ackWaitMs / 3);
    try {
      await this.invoke(handler, data, new JetStreamEventContext([message, consumer]));
      handled.add(id);
      await message.ackAck().catch(() => undefined);
    } catch (error) {
      const attempt = message.info.deliveryCount;
      const delay = this.delayAfter(attempt);
      this.logger.warn?.(
        `${consumer}: ${type} ${id} failed (attempt ${attempt}), again in ${delay} ms: ${describe(error)}`,
      );
      message.nak(delay);
    } finally {
      clearInterval(keepAlive);
    }
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
