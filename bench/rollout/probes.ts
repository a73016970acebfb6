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

const NEWEST = `(SELECT transaction_id, global_position FROM events
  ORDER BY transaction_id DESC, global_position DESC LIMIT 1)`;

/** One orchestrator processor's catching up after the rollout completed. */
export interface ProcessorLag {
  name: string;
  /** Events after its checkpoint when the rollout was seen completed (all types). */
  behind_events: number;
  /** From completed until its checkpoint reached the newest event (and stayed there). */
  lag_ms: number;
}

/**
 * Polls every 20 ms until every orchestrator processor's checkpoint is at the newest committed
 * event, timing each one from `since` (a processor that falls behind again is timed again).
 * Sorted last-caught-up first.
 */
export async function processorLags(
  pool: pg.Pool,
  since: number,
  timeoutMs: number,
): Promise<ProcessorLag[]> {
  const { rows: start } = await pool.query<{ name: string; behind: number }>(
    `SELECT c.processor_name AS name, (SELECT count(*) FROM events e
       WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position))::int AS behind
     FROM processor_checkpoints c WHERE c.processor_name LIKE 'orchestrator.%'`,
  );
  const behind = new Map(start.map((row) => [row.name, row.behind]));
  const at = new Map<string, number>();
  await waitFor("projections to catch up", timeoutMs, async () => {
    const { rows } = await pool.query<{ name: string; behind: boolean }>(
      `SELECT c.processor_name AS name, (c.transaction_id, c.global_position) < ${NEWEST} AS behind
       FROM processor_checkpoints c WHERE c.processor_name LIKE 'orchestrator.%'`,
    );
    const now = performance.now();
    for (const row of rows) {
      if (row.behind) at.delete(row.name);
      else if (!at.has(row.name)) at.set(row.name, now);
    }
    return rows.every((row) => !row.behind);
  });
  return [...at]
    .map(([name, when]) => ({
      name,
      behind_events: behind.get(name) ?? 0,
      lag_ms: Math.max(0, Math.round(when - since)),
    }))
    .sort((a, b) => b.lag_ms - a.lag_ms);
}
