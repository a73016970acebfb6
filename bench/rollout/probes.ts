import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";

/** Polls `check` every 20 ms until it returns a value other than false/undefined. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | false | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export async function rolloutStatus(pool: pg.Pool, rolloutId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ status: string }>(
    "SELECT status FROM rollouts WHERE rollout_id = $1",
    [rolloutId],
  );
  return rows[0]?.status;
}

/** Every orchestrator processor's checkpoint is at the newest committed event. */
export async function caughtUp(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query<{ behind: number }>(
    `SELECT count(*)::int AS behind FROM processor_checkpoints c
     WHERE c.processor_name LIKE 'orchestrator.%' AND (c.transaction_id, c.global_position) <
       (SELECT transaction_id, global_position FROM events ORDER BY transaction_id DESC, global_position DESC LIMIT 1)`,
  );
  return rows[0]?.behind === 0;
}
