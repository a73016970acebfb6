import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { targetWatchConsumer, targetWatchSubject } from "@statecast/contract";
import { EntryQueue } from "./entry-queue.js";
import { DEVICE_JS_API_PREFIX, TARGETS_BUCKET, TARGETS_STREAM } from "./names.js";

/** One value of the device's `sc_targets` key, newest first-seen only (revisions only grow). */
export interface TargetEntry {
  /** The key's stream sequence (its KV revision). */
  readonly revision: number;
  readonly operation: "PUT" | "DEL" | "PURGE";
  readonly value: Uint8Array;
  string(): string;
  json<T>(): T;
}

export interface TargetWatchOptions {
  /** JetStream API prefix the device's account sees (default `$JS.services.API`). */
  readonly apiPrefix?: string;
  /** Idle heartbeat of the consumer (default 5 s); 3 missed = the consumer is made again. */
  readonly heartbeatMs?: number;
  /** How long the consumer outlives its subscriber (default 2 min): a reconnect reuses it. */
  readonly inactiveThresholdMs?: number;
  /** Told when making the consumer fails (it is retried every heartbeat) or a message is refused. */
  readonly warn?: (message: string, fields?: Record<string, unknown>) => void;
}

const REQUEST_TIMEOUT_MS = 5_000;
const decoder = new TextDecoder();

/**
 * How agents of the previous release watch their own `sc_targets` key (agents since issue 16
 * follow it without a consumer: TargetFollow), through its ONE consumer: the fixed name
 * `targetWatchConsumer(id)`, created through the one create subject its permissions allow
 * (`CONSUMER.CREATE.KV_sc_targets.<name>.$KV.sc_targets.<id>`), delivering on
 * `targetWatchSubject(id)` in its own inbox. Creating it again (every reconnect, or after three
 * missed heartbeats) takes over the same consumer instead of adding one; each time the key's
 * current value is read by direct get as well, so a value the consumer delivered while the
 * device was away is not missed. Entries come out in revision order, each once, the current
 * value first (like `kv.watch({ key })`).
 *
 * Deliveries are taken only with the `$JS.ACK.KV_sc_targets.<its consumer>.` reply JetStream
 * gives them: nats-server refuses a client publish with a `$JS.ACK.` reply, so nothing another
 * device sends into this inbox (a reply-to, or the deliver subject of its own consumer, which
 * nats-server does not check against permissions) is ever taken for a target.
 */
export class TargetWatch implements AsyncIterable<TargetEntry> {
  private readonly api: string;
  private readonly consumer: string;
  private readonly key: string;
  private readonly heartbeatMs: number;
  private readonly inactiveThresholdMs: number;
  private readonly queue = new EntryQueue<TargetEntry>();
  private lastRevision = 0;
  /** The consumer sequence of the last delivery seen (heartbeats name the consumer's last). */
  private lastDelivery = 0;
  private lastSign = 0;
  private stopped = false;
  private sub: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly deviceId: string,
    private readonly options: TargetWatchOptions = {},
  ) {
    this.api = options.apiPrefix ?? DEVICE_JS_API_PREFIX;
    this.consumer = targetWatchConsumer(deviceId);
    this.key = `$KV.${TARGETS_BUCKET}.${deviceId}`;
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
    this.inactiveThresholdMs = options.inactiveThresholdMs ?? 120_000;
  }

  /**
   * Subscribes and makes the consumer; throws when the server refuses it the first time. A
   * server too busy to answer in time (thousands of devices connecting at once) is no refusal:
   * that is warned about and the heartbeat check below makes the consumer again, as it does
   * after a reconnect.
   */
  async start(): Promise<this> {
    this.sub = this.nc.subscribe(targetWatchSubject(this.deviceId), {
      callback: (_error, msg) => this.delivered(msg),
    });
    try {
      await this.sync();
    } catch (error) {
      if (!isTimeout(error)) {
        this.stop();
        throw error;
      }
      this.options.warn?.("target watch: the server did not answer in time; retrying", {
        error: (error as Error).message,
      });
    }
    void this.followReconnects();
    this.timer = setInterval(() => {
      if (Date.now() - this.lastSign > 3 * this.heartbeatMs) void this.resync("heartbeats missed");
    }, this.heartbeatMs);
    this.timer.unref?.();
    return this;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.sub?.unsubscribe();
    this.queue.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<TargetEntry> {
    return this.queue[Symbol.asyncIterator]();
  }

  private async followReconnects(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (this.stopped) return;
      if (status.type === "reconnect") void this.resync("reconnected");
    }
  }

  private async resync(why: string): Promise<void> {
    if (this.stopped) return;
    await this.sync().catch((error: Error) => {
      this.options.warn?.("target watch: could not make its consumer; retrying", {
        why,
        error: error.message,
      });
    });
  }

  /** Makes (or takes over) the consumer, then reads the current value; one at a time. */
  private sync(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        this.lastDelivery = 0;
        await this.createConsumer();
        await this.readCurrent();
        this.lastSign = Date.now();
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  private async createConsumer(): Promise<void> {
    const subject = `${this.api}.CONSUMER.CREATE.${TARGETS_STREAM}.${this.consumer}.${this.key}`;
    const body = {
      stream_name: TARGETS_STREAM,
      config: {
        name: this.consumer,
        deliver_subject: targetWatchSubject(this.deviceId),
        filter_subject: this.key,
        deliver_policy: "last_per_subject",
        ack_policy: "none",
        replay_policy: "instant",
        idle_heartbeat: this.heartbeatMs * 1_000_000,
        inactive_threshold: this.inactiveThresholdMs * 1_000_000,
        mem_storage: true,
        num_replicas: 1,
      },
    };
    const reply = await this.nc.request(subject, JSON.stringify(body), {
      timeout: REQUEST_TIMEOUT_MS,
    });
    const error = reply.json<{ error?: { code: number; description: string } }>().error;
    if (error) throw new Error(`target watch consumer refused: ${error.description}`);
  }

  private async readCurrent(): Promise<void> {
    const subject = `${this.api}.DIRECT.GET.${TARGETS_STREAM}.${this.key}`;
    const msg = await this.nc.request(subject, undefined, { timeout: REQUEST_TIMEOUT_MS });
    const code = msg.headers?.code ?? 0;
    if (code === 404) return; // no target yet
    if (code >= 300) throw new Error(`target read refused: ${code} ${msg.headers?.description}`);
    this.offer(Number(msg.headers?.get("Nats-Sequence")), msg);
  }

  private delivered(msg: Msg): void {
    if (msg.headers?.code === 100) {
      this.heartbeat(msg);
      return;
    }
    // $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>
    const reply = msg.reply ?? "";
    const tokens = reply.split(".");
    if (!reply.startsWith(`$JS.ACK.${TARGETS_STREAM}.${this.consumer}.`) || tokens.length !== 9) {
      this.options.warn?.("target watch: ignored a message that is not a delivery of its consumer");
      return;
    }
    this.lastSign = Date.now();
    this.lastDelivery = Math.max(this.lastDelivery, Number(tokens[6]) || 0);
    this.offer(Number(tokens[5]), msg);
  }

  /** An idle heartbeat: alive; one naming a later delivery than seen means one was lost. */
  private heartbeat(msg: Msg): void {
    this.lastSign = Date.now();
    const lastDelivery = Number(msg.headers?.get("Nats-Last-Consumer") ?? 0);
    if (lastDelivery > this.lastDelivery) {
      this.lastDelivery = lastDelivery;
      void this.resync("a delivery was lost");
    }
  }

  private offer(revision: number, msg: Msg): void {
    if (!Number.isSafeInteger(revision) || revision <= this.lastRevision) return;
    this.lastRevision = revision;
    this.queue.push(targetEntry(revision, msg));
  }
}

/** Starts a device's watch of its own target (see TargetWatch). */
export function watchOwnTarget(
  nc: NatsConnection,
  deviceId: string,
  options?: TargetWatchOptions,
): Promise<TargetWatch> {
  return new TargetWatch(nc, deviceId, options).start();
}

/** A KV message (a direct get's reply or a delivery) as the entry of `revision`. */
export function targetEntry(revision: number, msg: Msg): TargetEntry {
  const operation = msg.headers?.get("KV-Operation");
  const value = msg.data;
  return {
    revision,
    operation: operation === "DEL" || operation === "PURGE" ? operation : "PUT",
    value,
    string: () => decoder.decode(value),
    json: <T>() => JSON.parse(decoder.decode(value)) as T,
  };
}

export function isTimeout(error: unknown): boolean {
  const named = (e: unknown) => (e as Error | undefined)?.name === "TimeoutError";
  return named(error) || named((error as Error | undefined)?.cause);
}
