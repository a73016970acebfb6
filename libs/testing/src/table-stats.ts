import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";

/** Each index of `table` as `CREATE INDEX …` text (pg_get_indexdef). */
export async function indexDefinitions(db: pg.Pool, table: string): Promise<string[]> {
  const { rows } = await db.query<{ def: string }>(
    "SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = $1::regclass",
    [table],
  );
  return rows.map((r) => r.def);
}

/** Rows of `table` updated so far, and of those the ones kept on their page (HOT). */
export interface TableUpdates {
  updates: number;
  hot: number;
}

export async function tableUpdates(db: pg.Pool, table: string): Promise<TableUpdates> {
  const { rows } = await db.query<{ n: string; hot: string }>(
    "SELECT n_tup_upd AS n, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = $1",
    [table],
  );
  return { updates: Number(rows[0]?.n ?? 0), hot: Number(rows[0]?.hot ?? 0) };
}

/**
 * The table's counts once they reach `atLeast` updates, or as they are after `timeoutMs`: a
 * backend reports its statistics when its connection ends or, idle, within about 10 s.
 */
export async function untilTableUpdates(
  db: pg.Pool,
  table: string,
  atLeast: number,
  timeoutMs = 15_000,
): Promise<TableUpdates> {
  const deadline = Date.now() + timeoutMs;
  let now = await tableUpdates(db, table);
  while (now.updates < atLeast && Date.now() < deadline) {
    await sleep(50);
    now = await tableUpdates(db, table);
  }
  return now;
}
