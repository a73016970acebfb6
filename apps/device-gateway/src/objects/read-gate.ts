/** How many reads of `sc_objects` run at once, and how long a request may wait for one. */
export interface ReadGateOptions {
  /** Reads at once (each a JetStream API request); the rest wait in order. */
  limit: number;
  /** A request that waited this long for a read gets `ReadQueueTimeout` (answered `unavailable`). */
  maxWaitMs: number;
}

/**
 * 32 reads at once keep nats-server's JetStream API answering in milliseconds while thousands
 * of devices fetch; 2 s of queueing stays under the agent's 5 s request timeout, so a device
 * hears `unavailable` (and backs off) rather than nothing.
 */
export const DEFAULT_OBJECT_READS: ReadGateOptions = { limit: 32, maxWaitMs: 2_000 };

/** A request waited for a read slot longer than the gate allows. */
export class ReadQueueTimeout extends Error {
  override readonly name = "ReadQueueTimeout";
}

interface Waiter {
  grant(): void;
  cancelled: boolean;
}

/**
 * A fair (first come, first served) semaphore over the gateway's reads of `sc_objects`: under a
 * wave of thousands of devices the reads queue here, in order, instead of all reaching
 * JetStream at once and timing out there. Counts what it did, for `/metrics`.
 */
export class ReadGate {
  active = 0;
  queued = 0;
  /** Requests that found every slot taken and waited. */
  waits = 0;
  /** Requests that waited past `maxWaitMs`. */
  timeouts = 0;
  /** Seconds spent waiting, all requests together. */
  waitSeconds = 0;
  private readonly queue: Waiter[] = [];
  private head = 0;

  constructor(
    readonly options: ReadGateOptions = DEFAULT_OBJECT_READS,
    private readonly clock: () => number = Date.now,
  ) {
    if (!(options.limit >= 1) || !(options.maxWaitMs >= 1))
      throw new Error(
        `object reads: limit and maxWaitMs must be ≥ 1 (got ${options.limit}, ${options.maxWaitMs})`,
      );
  }

  /** Runs `read` once a slot is free (at once when one is and nobody waits before it). */
  async run<T>(read: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await read();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.options.limit && this.queued === 0) {
      this.active++;
      return Promise.resolve();
    }
    this.waits++;
    this.queued++;
    const since = this.clock();
    const waited = () => (this.waitSeconds += (this.clock() - since) / 1000);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        cancelled: false,
        grant: () => {
          clearTimeout(timer);
          waited();
          resolve();
        },
      };
      const timer = setTimeout(() => {
        waiter.cancelled = true;
        this.queued--;
        this.timeouts++;
        waited();
        reject(
          new ReadQueueTimeout(
            `waited ${this.options.maxWaitMs} ms for one of ${this.options.limit} sc_objects reads`,
          ),
        );
      }, this.options.maxWaitMs);
      this.queue.push(waiter);
    });
  }

  /** Hands the slot to the first request still waiting, or frees it. */
  private release(): void {
    while (this.head < this.queue.length) {
      const next = this.queue[this.head++]!;
      if (next.cancelled) continue;
      this.queued--;
      this.compact();
      next.grant();
      return;
    }
    this.compact();
    this.active--;
  }

  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1_024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}
