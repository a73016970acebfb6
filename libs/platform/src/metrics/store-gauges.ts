import type pg from "pg";
import type { Metrics, Sample } from "./metrics.js";

/** Lag counts stop here: past it the exact figure does not matter and counting costs. */
export const LAG_COUNT_CAP = 100_000;

const ROLLOUTS_BY_STATE = "SELECT status AS label, count(*)::int AS value FROM rollouts GROUP BY 1";
const DEVICES_BY_STATUS = `SELECT coalesce(last_status, 'unknown') AS label, count(*)::int AS value
FROM device_registry GROUP BY 1`;
const DEVICES_ONLINE = "SELECT count(*)::int AS value FROM device_registry WHERE online";
// What devices really run (bounded by the revisions in use), and how many drifted from their target.
const DEVICES_BY_REVISION = `SELECT record -> 'currentRevision' ->> 'fleet' AS fleet,
  record -> 'currentRevision' ->> 'number' AS number, count(*)::int AS value
FROM device_registry WHERE record -> 'currentRevision' ->> 'fleet' IS NOT NULL GROUP BY 1, 2`;
const DEVICES_DRIFTED =
  "SELECT count(*)::int AS value FROM device_registry WHERE (record ->> 'drifted')::boolean";
// Per checkpointed processor (the relay is `relay:SC_EVENTS`): events committed after its
// checkpoint, in read-all order, walked on the (transaction_id, global_position) index.
const PROCESSOR_LAG = `SELECT c.processor_name AS label,
  (SELECT count(*)::int FROM (
     SELECT 1 FROM events e
     WHERE (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position)
     LIMIT ${LAG_COUNT_CAP}) behind) AS value
FROM processor_checkpoints c`;

/**
 * Gauges read from Postgres on each scrape, each a single cheap query. A family whose table this
 * service's database does not have (the gateway alone has no rollout tables) stays empty.
 */
export function registerStoreGauges(metrics: Metrics, pool: pg.Pool): void {
  metrics.onScrape(
    "statecast_rollouts",
    "Rollouts by state (rollouts table).",
    "gauge",
    byLabel(pool, "rollouts", ROLLOUTS_BY_STATE, "state"),
    ["state"],
  );
  metrics.onScrape(
    "statecast_devices",
    "Registered devices by last reported status (device registry).",
    "gauge",
    byLabel(pool, "device_registry", DEVICES_BY_STATUS, "status"),
    ["status"],
  );
  metrics.onScrape(
    "statecast_devices_online",
    "Registered devices currently online (device registry).",
    "gauge",
    async () => {
      if (!(await tableExists(pool, "device_registry"))) return [];
      const { rows } = await pool.query<{ value: number }>(DEVICES_ONLINE);
      return [{ value: rows[0]?.value ?? 0 }];
    },
  );
  metrics.onScrape(
    "statecast_devices_by_revision",
    "Registered devices by the revision they run (device registry).",
    "gauge",
    async () => {
      if (!(await tableExists(pool, "device_registry"))) return [];
      const { rows } = await pool.query<{ fleet: string; number: string; value: number }>(
        DEVICES_BY_REVISION,
      );
      return rows.map((r) => ({ labels: { fleet: r.fleet, revision: r.number }, value: r.value }));
    },
    ["fleet", "revision"],
  );
  metrics.onScrape(
    "statecast_devices_drifted",
    "Registered devices running another revision than their target, no update under way.",
    "gauge",
    async () => {
      if (!(await tableExists(pool, "device_registry"))) return [];
      const { rows } = await pool.query<{ value: number }>(DEVICES_DRIFTED);
      return [{ value: rows[0]?.value ?? 0 }];
    },
  );
  metrics.onScrape(
    "statecast_processor_lag_events",
    `Events committed after each processor's checkpoint (the relay is processor="relay:SC_EVENTS"); capped at ${LAG_COUNT_CAP}.`,
    "gauge",
    byLabel(pool, "processor_checkpoints", PROCESSOR_LAG, "processor"),
    ["processor"],
  );
}

function byLabel(pool: pg.Pool, table: string, sql: string, labelName: string) {
  return async (): Promise<Sample[]> => {
    if (!(await tableExists(pool, table))) return [];
    const { rows } = await pool.query<{ label: string; value: number }>(sql);
    return rows.map((row) => ({ labels: { [labelName]: row.label }, value: row.value }));
  };
}

async function tableExists(pool: pg.Pool, table: string): Promise<boolean> {
  const { rows } = await pool.query<{ found: boolean }>(
    "SELECT to_regclass($1) IS NOT NULL AS found",
    [table],
  );
  return rows[0]?.found === true;
}
