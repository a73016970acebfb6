import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";

/** The right to be the one replica that consumes a durable consumer, until `lost` fires. */
export interface ConsumerLease {
  /** Aborted when the lease can no longer be trusted (its database session failed). */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export interface ConsumerLeases {
  /**
   * Waits until this replica holds `name`'s lease (or `signal` aborts: rejects). A replica takes
   * a lease it is `preferred` for at once; another one only once it has stayed free a while, so
   * replicas spread partitions and still take over those of a replica that died.
   */
  acquire(
    name: string,
    options: { preferred: boolean; signal: AbortSignal },
  ): Promise<ConsumerLease>;
}

export interface PostgresLeaseOptions {
  /** Between two tries for a preferred lease. Default 1 s. */
  retryMs?: number;
  /** How long a lease this replica is not preferred for must stay free. Default 10 s. */
  takeoverMs?: number;
  /** How often a held lease's session is checked. Default 5 s. */
  checkMs?: number;
}

// 64-bit hash of the name: distinct consumers never share a lock by accident.
const TRY_LOCK = "SELECT pg_try_advisory_lock(hashtextextended('sc_consumer:' || $1, 0)) AS locked";
const UNLOCK = "SELECT pg_advisory_unlock(hashtextextended('sc_consumer:' || $1, 0))";

/**
 * Leases as session-level Postgres advisory locks, each on a connection held from the pool for
 * as long as the lease: a replica that dies loses its session and so its leases, and the lock
 * is free for another replica at once. The session is checked every `checkMs`; a failed check
 * (or a connection error) marks the lease lost, and its holder stops consuming.
 */
export class PostgresConsumerLeases implements ConsumerLeases {
  constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresLeaseOptions = {},
  ) {}

  async acquire(
    name: string,
    { preferred, signal }: { preferred: boolean; signal: AbortSignal },
  ): Promise<ConsumerLease> {
    const retryMs = this.options.retryMs ?? 1_000;
    const takeoverMs = this.options.takeoverMs ?? 10_000;
    if (!preferred) await sleep(takeoverMs, undefined, { signal });
    for (;;) {
      signal.throwIfAborted();
      const lease = await this.tryLock(name).catch(() => undefined);
      if (lease) return lease;
      await sleep(preferred ? retryMs : takeoverMs, undefined, { signal });
    }
  }

  private async tryLock(name: string): Promise<ConsumerLease | undefined> {
    const client = await this.pool.connect();
    let locked = false;
    try {
      const { rows } = await client.query<{ locked: boolean }>(TRY_LOCK, [name]);
      locked = rows[0]?.locked === true;
    } finally {
      if (!locked) client.release();
    }
    return locked ? this.held(name, client) : undefined;
  }

  private held(name: string, client: pg.PoolClient): ConsumerLease {
    const lost = new AbortController();
    let broken = false;
    const onError = () => {
      broken = true;
      lost.abort(new Error(`lease ${name}: its database session failed`));
    };
    client.on("error", onError);
    const check = setInterval(() => {
      client.query("SELECT 1").catch(onError);
    }, this.options.checkMs ?? 5_000);
    check.unref();
    return {
      lost: lost.signal,
      release: async () => {
        clearInterval(check);
        lost.abort(new Error(`lease ${name} released`));
        if (!broken) await client.query(UNLOCK, [name]).catch(() => (broken = true));
        client.off("error", onError);
        client.release(broken);
      },
    };
  }
}
