import { setTimeout as sleep } from "node:timers/promises";
import { ConcurrencyError, type PostgresEventStore } from "@statecast/events";
import type pg from "pg";

/**
 * Runs `work` in one transaction on a pooled client; on a ConcurrencyError (another writer got to
 * a stream first) the whole transaction is rolled back and run again from a fresh read.
 */
export async function inTransaction<T>(
  store: PostgresEventStore,
  work: (client: pg.ClientBase) => Promise<T>,
  maxAttempts = 6,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await store.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      store.announceIfAppendedIn(client);
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      store.announceIfAppendedIn(client); // nothing committed: just forget the mark
      if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error;
      await sleep(5 * 2 ** attempt * Math.random());
    } finally {
      client.release();
    }
  }
}
