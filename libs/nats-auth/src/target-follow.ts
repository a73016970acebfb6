import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { targetChangedSubject } from "@statecast/contract";
import { EntryQueue } from "./entry-queue.js";
import { DEVICE_JS_API_PREFIX, TARGETS_BUCKET, TARGETS_STREAM } from "./names.js";
import { isTimeout, type TargetEntry, targetEntry } from "./target-watch.js";

export interface TargetFollowOptions {
  /** JetStream API prefix the device's account sees (default `$JS.services.API`). */
  readonly apiPrefix?: string;
  /**
   * How often the key is read even without a change message (default 60 s, ±20 % jitter): what
   * a change message lost on the way (a gateway that stopped between its put and the message, a
   * leaf node's link down while the device's own connection stayed up, a gateway of the earlier
   * release that sends none) costs at most this long.
   */
  readonly checkMs?: number;
  /** First wait before a failed read is tried again (default 1 s, doubling up to `checkMs`). */
  readonly retryMs?: number;
  /** Told when a read fails (it is tried again) or the server was too busy at start. */
  readonly warn?: (message: string, fields?: Record<string, unknown>) => void;
}

const REQUEST_TIMEOUT_MS = 5_000;
/** Reads again after a change message named a newer revision than the read found: 50 ms, doubling. */
const BEHIND_READS = 6;
const BEHIND_DELAY_MS = 50;

/**
 * The wait before the read after `failures` failed ones in a row: `retryMs` doubling, at most
 * `checkMs`, spread over half to one and a half of it. A read that timed out waits at least the
 * request timeout: the server was too busy to answer, and a fleet whose reads all timed out at
 * once must not come back a second later all together (10,000 devices did, in `bench:fleet`,
 * ten times their checks' load while the server was slowest). A change message still reads at
 * once: only the check waits.
 */
export function retryDelayMs(
  failures: number,
  retryMs: number,
  checkMs: number,
  timedOut: boolean,
  random = Math.random,
): number {
  const doubled = retryMs * 2 ** Math.max(0, failures - 1);
  const base = Math.min(checkMs, timedOut ? Math.max(REQUEST_TIMEOUT_MS, doubled) : doubled);
  return Math.round(base * (0.5 + random()));
}

/**
 * Issue 16: a device follows its own `sc_targets` key WITHOUT a JetStream consumer (one consumer
 * per device is what a nats-server could not create for 10,000 devices): the key's value is read
 * by direct get (`DIRECT.GET.KV_sc_targets.$KV.sc_targets.<id>`, the one read its permissions
 * allow) at start, after every reconnect, every `checkMs`, and whenever a message arrives on its
 * inbox subject `targetChangedSubject(id)`, which the gateway publishes after each write of the
 * key. That message is only a hint (anything can be replied into an inbox): the value always
 * comes from the direct get, and is taken only when its KV revision (the stream sequence the
 * server names in `Nats-Sequence`) is newer than the last one taken, so entries come out in
 * revision order, each once, the current value first — the order `TargetWatch` gives. With
 * history 1 a device skips a value that was replaced before it read it, as a device that was
 * offline does: the newest target is the one that counts.
 *
 * Needs nothing the device's permissions did not allow already (its inbox and the direct get of
 * its own key), so agents of the earlier releases and their credentials are untouched.
 */
export class TargetFollow implements AsyncIterable<TargetEntry> {
  private readonly getSubject: string;
  private readonly checkMs: number;
  private readonly retryMs: number;
  private readonly queue = new EntryQueue<TargetEntry>();
  private lastRevision = 0;
  private stopped = false;
  private sub: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private failures = 0;
  /** The newest revision a change message named; above the last one taken: read again soon. */
  private named = 0;
  private behindReads = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly deviceId: string,
    private readonly options: TargetFollowOptions = {},
  ) {
    const api = options.apiPrefix ?? DEVICE_JS_API_PREFIX;
    this.getSubject = `${api}.DIRECT.GET.${TARGETS_STREAM}.$KV.${TARGETS_BUCKET}.${deviceId}`;
    this.checkMs = options.checkMs ?? 60_000;
    this.retryMs = Math.min(options.retryMs ?? 1_000, this.checkMs);
  }

  /**
   * Subscribes (before the first read, so a change made during it is not missed), then reads the
   * current value. A refusal throws; a server too busy to answer in time is warned about and
   * read again shortly.
   */
  async start(): Promise<this> {
    this.sub = this.nc.subscribe(targetChangedSubject(this.deviceId), {
      callback: (error, msg) => {
        // A refused subscription (not this device's subject): its reads are refused as well.
        if (error)
          this.options.warn?.("target watch: change messages refused", { error: error.message });
        else this.changed(msg);
      },
    });
    void this.followReconnects();
    try {
      await this.read();
      this.schedule(this.checkMs);
    } catch (error) {
      if (!isTimeout(error)) {
        this.stop();
        throw error;
      }
      this.options.warn?.("target watch: the server did not answer in time; retrying", {
        error: (error as Error).message,
      });
      this.failed(true);
    }
    return this;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.sub?.unsubscribe();
    this.queue.close();
  }

  [Symbol.asyncIterator](): AsyncIterator<TargetEntry> {
    return this.queue[Symbol.asyncIterator]();
  }

  private changed(msg: Msg): void {
    // A revision already taken needs no read; anything else (a newer one, none, garbage) does.
    const revision = Number(msg.string());
    if (Number.isSafeInteger(revision) && revision > 0) {
      if (revision <= this.lastRevision) return;
      this.named = Math.max(this.named, revision);
      this.behindReads = 0;
    }
    this.refresh("changed");
  }

  private async followReconnects(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (this.stopped) return;
      // Changes made while the connection was down reached no one: read what is there now.
      if (status.type === "reconnect") this.refresh("reconnected");
    }
  }

  /** Reads now; a failure is warned about and tried again with backoff. */
  private refresh(why: string): void {
    if (this.stopped) return;
    this.read().then(
      () => {
        this.failures = 0;
        // A replica that has not applied the write yet answered (direct gets of a replicated
        // stream go to any replica): read again shortly, a few times, before leaving it to the
        // check. A forged message naming a revision never written costs only these reads.
        if (this.named > this.lastRevision && this.behindReads < BEHIND_READS) {
          this.schedule(BEHIND_DELAY_MS * 2 ** this.behindReads++);
          return;
        }
        this.schedule(this.checkMs);
      },
      (error: Error) => {
        if (this.stopped) return;
        this.options.warn?.("target watch: could not read the target; retrying", {
          why,
          error: error.message,
        });
        this.failed(isTimeout(error));
      },
    );
  }

  private failed(timedOut: boolean): void {
    if (this.stopped) return;
    this.failures++;
    this.checkIn(retryDelayMs(this.failures, this.retryMs, this.checkMs, timedOut));
  }

  /** The next check in about `ms` (±20 %). */
  private schedule(ms: number): void {
    this.checkIn(ms * (0.8 + 0.4 * Math.random()));
  }

  private checkIn(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh("check"), ms);
    this.timer.unref?.();
  }

  /**
   * One read at a time; a read asked while one runs makes that one read again when it is done
   * (the change may have come after its get was answered), and both callers wait for that.
   */
  private read(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.readAgain = false;
          await this.readCurrent();
        } while (this.readAgain && !this.stopped);
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  private async readCurrent(): Promise<void> {
    const msg = await this.nc.request(this.getSubject, undefined, { timeout: REQUEST_TIMEOUT_MS });
    const code = msg.headers?.code ?? 0;
    if (code === 404) return; // no target yet
    if (code >= 300) throw new Error(`target read refused: ${code} ${msg.headers?.description}`);
    const revision = Number(msg.headers?.get("Nats-Sequence"));
    if (!Number.isSafeInteger(revision) || revision <= this.lastRevision) return;
    this.lastRevision = revision;
    this.queue.push(targetEntry(revision, msg));
  }
}

/** Starts a device's following of its own target (see TargetFollow). */
export function followOwnTarget(
  nc: NatsConnection,
  deviceId: string,
  options?: TargetFollowOptions,
): Promise<TargetFollow> {
  return new TargetFollow(nc, deviceId, options).start();
}
