import type pg from "pg";

// Every durable commit waits for a WAL flush (fsync). With one append outstanding per stream, a
// flush can carry at most `concurrency` single-event appends, so the flush time bounds
// single_eps: the figures below tell a slow disk (or a disk shared with other work) apart from
// slow code. Timing the flushes is a statistics setting only; durability is untouched.
export async function enableWalTiming(pool: pg.Pool): Promise<void> {
  await pool.query("ALTER SYSTEM SET track_wal_io_timing = on");
  await pool.query("SELECT pg_reload_conf()");
}

export interface WalSample {
  flushes: number;
  flushMs: number;
}

export async function walSample(pool: pg.Pool): Promise<WalSample> {
  const { rows } = await pool.query<{ wal_sync: string; wal_sync_time: number }>(
    "SELECT wal_sync, wal_sync_time FROM pg_stat_wal",
  );
  return { flushes: Number(rows[0]?.wal_sync ?? 0), flushMs: Number(rows[0]?.wal_sync_time ?? 0) };
}

/** WAL flushes during a phase, their mean duration, and events made durable per flush. */
export function walFigures(before: WalSample, after: WalSample, events: number) {
  const flushes = after.flushes - before.flushes;
  return {
    wal_flushes: flushes,
    ms_per_flush: flushes > 0 ? Number(((after.flushMs - before.flushMs) / flushes).toFixed(2)) : 0,
    events_per_flush: flushes > 0 ? Number((events / flushes).toFixed(1)) : 0,
  };
}
