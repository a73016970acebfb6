import type pg from "pg";

/**
 * One attempt of `PostgresEventStore.transaction`: `work` between BEGIN and COMMIT on a pooled
 * client; on any failure a ROLLBACK. `ended(client, committed)` runs before the client goes back
 * to the pool (the store announces or forgets the client's appends there).
 */
export async function inOneTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.ClientBase) => Promise<T>,
  ended: (client: pg.ClientBase, committed: boolean) => void,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    ended(client, true);
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    ended(client, false);
    throw error;
  } finally {
    client.release();
  }
}
