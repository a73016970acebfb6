import type pg from "pg";
import {
  pickTypeIndex,
  prng,
  SYNTHETIC_DATA_SQL,
  SYNTHETIC_FLEET_SQL,
  SYNTHETIC_METADATA_SQL,
  SYNTHETIC_TYPE_SQL,
} from "./synthetic-history.js";

// The loader is a bench tool, not product code: it writes synthetic device history straight into
// the event store's tables (the rows, columns and indexes real appends leave behind) as fast as
// Postgres allows, so that a 10 M-event history takes minutes rather than the hour appends would.
// What it does differently from appends, on purpose:
// - rows are built server-side from three integers per event (device, version, type), many
//   thousand per statement and transaction (appendMany-sized transactions, only bigger);
// - the secondary indexes and unique constraints of `events` are dropped before the load and
//   recreated, under the same names and definitions, after it (a sorted build instead of
//   millions of random B-tree inserts); the primary key stays;
// - autovacuum is off for `events` while loading; the table is vacuumed and analyzed at the end,
//   as autovacuum would eventually do on a production history.

export interface LoadPlan {
  events: number;
  devices: number;
  /** First and last recorded_at: events are spread evenly (append-only, so time grows with position). */
  start: Date;
  spanMs: number;
  batchSize: number;
  concurrency: number;
}

export interface LoadTimes {
  /** Rows inserted (including the streams). */
  insertSeconds: number;
  /** VACUUM, index and constraint rebuild, ANALYZE. */
  indexSeconds: number;
  totalSeconds: number;
}

const INSERT_EVENTS = `INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, fleet)
SELECT 'device:d' || d, v, gen_random_uuid(), ${SYNTHETIC_TYPE_SQL}, 1, ${SYNTHETIC_DATA_SQL}, ${SYNTHETIC_METADATA_SQL}, at, ${SYNTHETIC_FLEET_SQL}
FROM (
  SELECT g.d, g.v, g.k, gen_random_uuid() AS c,
         $4::timestamptz + floor(($5::bigint + g.ord - 1) * $6::float8) * interval '1 millisecond' AS at
  FROM unnest($1::int[], $2::int[], $3::int[]) WITH ORDINALITY AS g(d, v, k, ord)
) AS s`;

/** Which device each event belongs to, its version there, and its type (deterministic). */
function assignEvents(plan: LoadPlan): {
  device: Int32Array;
  version: Int32Array;
  type: Int32Array;
  perDevice: Int32Array;
} {
  const random = prng(42);
  const types = prng(7);
  const device = new Int32Array(plan.events);
  const version = new Int32Array(plan.events);
  const type = new Int32Array(plan.events);
  const perDevice = new Int32Array(plan.devices);
  for (let i = 0; i < plan.events; i++) {
    const d = Math.floor(random() * plan.devices);
    device[i] = d;
    perDevice[d] = (perDevice[d] ?? 0) + 1;
    version[i] = perDevice[d] as number;
    type[i] = pickTypeIndex(types());
  }
  return { device, version, type, perDevice };
}

async function insertStreams(pool: pg.Pool, perDevice: Int32Array): Promise<void> {
  const ids: string[] = [];
  const versions: number[] = [];
  perDevice.forEach((count, d) => {
    if (count === 0) return;
    ids.push(`device:d${d}`);
    versions.push(count);
  });
  for (let i = 0; i < ids.length; i += 50_000) {
    await pool.query(
      "INSERT INTO streams (stream_id, stream_type, version, last_transaction_id, fleet) SELECT s, 'device', v, pg_current_xact_id(), 'fleet-' || (substr(s, 9)::int % 10) FROM unnest($1::text[], $2::int[]) AS t(s, v)",
      [ids.slice(i, i + 50_000), versions.slice(i, i + 50_000)],
    );
  }
}

/**
 * Drops every index and unique constraint of `events` except its primary key; returns the
 * statements that recreate them exactly (catalog definitions, same names).
 */
async function dropSecondaryIndexes(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{
    name: string;
    constraint_def: string | null;
    index_def: string;
  }>(
    `SELECT ci.relname AS name, pg_get_constraintdef(con.oid) AS constraint_def,
            pg_get_indexdef(i.indexrelid) AS index_def
     FROM pg_index i
     JOIN pg_class ci ON ci.oid = i.indexrelid
     LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
     WHERE i.indrelid = 'events'::regclass AND NOT i.indisprimary
     ORDER BY ci.relname`,
  );
  const recreate: string[] = [];
  for (const row of rows) {
    const name = `"${row.name}"`;
    if (row.constraint_def) {
      await pool.query(`ALTER TABLE events DROP CONSTRAINT ${name}`);
      recreate.push(`ALTER TABLE events ADD CONSTRAINT ${name} ${row.constraint_def}`);
    } else {
      await pool.query(`DROP INDEX ${name}`);
      recreate.push(row.index_def);
    }
  }
  return recreate;
}

/** Loads the synthetic history (see the comment at the top). Returns the seconds each phase took. */
export async function loadHistory(
  pool: pg.Pool,
  plan: LoadPlan,
  progress: (done: number) => void,
  log: (line: string) => void,
): Promise<LoadTimes> {
  const began = performance.now();
  const { device, version, type, perDevice } = assignEvents(plan);
  const recreate = await dropSecondaryIndexes(pool);
  await pool.query("ALTER TABLE events SET (autovacuum_enabled = false)");
  await insertStreams(pool, perDevice);
  const msPerEvent = plan.spanMs / plan.events;
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < plan.events) {
      const from = next;
      const to = Math.min(plan.events, from + plan.batchSize);
      next = to;
      await pool.query(INSERT_EVENTS, [
        Array.from(device.subarray(from, to)),
        Array.from(version.subarray(from, to)),
        Array.from(type.subarray(from, to)),
        plan.start,
        from,
        msPerEvent,
      ]);
      done += to - from;
      progress(done);
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  const inserted = performance.now();
  log(`inserted in ${((inserted - began) / 1000).toFixed(1)} s; vacuum, indexes, analyze…`);

  // VACUUM first, while the table has no index to scan: it sets the visibility map (index-only
  // scans) and the hint bits, so the measured queries do not pay for them.
  await pool.query("VACUUM events");
  const client = await pool.connect();
  try {
    await client.query("SET maintenance_work_mem = '512MB'");
    for (const statement of recreate) {
      const t = performance.now();
      await client.query(statement);
      log(`  ${((performance.now() - t) / 1000).toFixed(1)} s  ${statement}`);
    }
  } finally {
    client.release();
  }
  await pool.query("ALTER TABLE events RESET (autovacuum_enabled)");
  await pool.query("ANALYZE events");
  const end = performance.now();
  return {
    insertSeconds: (inserted - began) / 1000,
    indexSeconds: (end - inserted) / 1000,
    totalSeconds: (end - began) / 1000,
  };
}
