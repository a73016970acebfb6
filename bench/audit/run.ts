// npm run bench:audit [-- --events 10000000] : audit query latency over a synthetic history.
// See bench/audit/README.md.
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  createRegistry,
  deviceCatalog,
  deviceStreamId,
  eventStoreMigrations,
  migrate,
  PostgresEventStore,
} from "@statecast/events";
import { startEmbeddedPostgres } from "@statecast/infra";
import pg from "pg";
import { auditMigrations } from "../../apps/orchestrator/src/audit/audit.migrations.js";
import type { AuditCursor } from "../../apps/orchestrator/src/audit/audit-cursor.js";
import {
  buildEventPageQuery,
  type EventFilter,
  type SqlQuery,
} from "../../apps/orchestrator/src/audit/event-filter.js";
import { orchestratorMigrations } from "../../apps/orchestrator/src/projections/read-model.migrations.js";
import { validateMetadata } from "../../libs/events/src/metadata-schema.js";
import { benchTeardown } from "../teardown.js";
import { loadHistory } from "./load.js";
import { prng, TYPE_MIX } from "./synthetic-history.js";

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    devices: { type: "string" },
    samples: { type: "string", default: "300" },
    // Keep the cluster in DIR and reuse a history already loaded there (iterating on queries and
    // indexes at 10 M without reloading). Without it, a temporary cluster is removed at the end.
    "data-dir": { type: "string" },
    // Print EXPLAIN (ANALYZE, BUFFERS) of one query of each kind to stderr.
    explain: { type: "boolean", default: false },
    // Postgres shared_buffers for the bench cluster (e.g. 5GB), with the events table and its
    // stream index prewarmed into them; default: the embedded cluster's own setting (128MB).
    "shared-buffers": { type: "string" },
  },
});
const events = Number(args.events);
const devices = Number(args.devices ?? Math.max(10, Math.round(events / 100)));
const samples = Number(args.samples);
if (!Number.isInteger(events) || events < 1000)
  throw new Error(`--events must be an integer ≥ 1000 (got ${args.events})`);
if (!Number.isInteger(devices) || devices < 1)
  throw new Error(`--devices must be a positive integer (got ${args.devices})`);
if (!Number.isInteger(samples) || samples < 20)
  throw new Error(`--samples must be an integer ≥ 20 (got ${args.samples})`);
const sharedBuffers = args["shared-buffers"];
if (sharedBuffers !== undefined && !/^\d+(MB|GB)$/.test(sharedBuffers))
  throw new Error(`--shared-buffers must look like 512MB or 5GB (got ${sharedBuffers})`);

const log = (line: string) => process.stderr.write(`[bench:audit] ${line}\n`);
const HOUR = 3_600_000;
// 30 days of history, whatever N: a bigger N means a busier fleet (more events per hour).
const SPAN_MS = 30 * 24 * HOUR;
// The device history route's default page (GET /v1/devices/:id/history, limit 100).
const HISTORY_PAGE = 100;

// PostgresEventStore.readStream's statement (libs/events/src/postgres-event-store.ts), for EXPLAIN.
const READ_STREAM_SQL = `SELECT global_position, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, transaction_id
FROM events WHERE stream_id = $1 AND stream_version >= $2 AND stream_version <= $3
  AND ($4::timestamptz IS NULL OR recorded_at <= $4) ORDER BY stream_version`;

function p95(ms: number[]): number {
  const sorted = [...ms].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length * 0.95)] ?? Number.NaN) * 100) / 100;
}

/** One sampled request: what the API process runs (client side) and the SQL it sends. */
interface Sample {
  sql: SqlQuery;
  run(): Promise<unknown>;
}

/**
 * p95 of the request as the API process sees it (round trip, rows parsed; this includes waiting
 * for a CPU on a loaded machine), and p95 of the same statements' execution inside Postgres
 * (EXPLAIN ANALYZE planning + execution time, without timing each node), on fresh random samples.
 */
async function measure(
  pool: pg.Pool,
  name: string,
  sample: (i: number) => Sample,
): Promise<{ client: number; server: number }> {
  for (let i = 0; i < 20; i++) await sample(i).run(); // warm the plans (and a little of the cache)
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const { run } = sample(i);
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  const serverTimes: number[] = [];
  for (let i = 0; i < samples; i++) {
    const { sql } = sample(i);
    const { rows } = await pool.query<{ "QUERY PLAN": [Record<string, number>] }>({
      text: `EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${sql.text}`,
      values: sql.values,
    });
    const plan = rows[0]?.["QUERY PLAN"][0] ?? {};
    serverTimes.push((plan["Planning Time"] ?? 0) + (plan["Execution Time"] ?? Number.NaN));
  }
  const result = { client: p95(times), server: p95(serverTimes) };
  log(`${name}: p95 ${result.client} ms (in Postgres ${result.server} ms) over ${samples} queries`);
  return result;
}

async function explain(pool: pg.Pool, name: string, query: SqlQuery): Promise<void> {
  const { rows } = await pool.query<{ "QUERY PLAN": string }>({
    text: `EXPLAIN (ANALYZE, BUFFERS) ${query.text}`,
    values: query.values,
  });
  log(`EXPLAIN ${name}:\n${rows.map((r) => `    ${r["QUERY PLAN"]}`).join("\n")}`);
}

/** The loaded rows must be ones real appends could have written: check a sample. */
async function checkSample(pool: pg.Pool): Promise<void> {
  const registry = createRegistry(deviceCatalog);
  const { rows } = await pool.query<{ type: string; data: unknown; metadata: unknown }>(
    "SELECT type, data, metadata FROM events TABLESAMPLE SYSTEM (0.1) LIMIT 2000",
  );
  for (const row of rows) {
    registry.validate(row.type, row.data);
    validateMetadata(row.type, row.metadata);
  }
  log(`${rows.length} sampled rows valid against the device catalog and the metadata schema`);
}

const dataDir = args["data-dir"] ? resolve(args["data-dir"]) : undefined;
const teardown = benchTeardown(log);
const dir = dataDir ?? mkdtempSync(join(tmpdir(), "statecast-bench-audit-"));
if (!dataDir) teardown.removeAtEnd(dir);
mkdirSync(dir, { recursive: true });
await chmod(dir, 0o755); // the server runs as the postgres user when we are root
const reuse = dataDir !== undefined && existsSync(join(dir, "data", "PG_VERSION"));
let server = await startEmbeddedPostgres({ dataDir: join(dir, "data") });
teardown.add(
  "Postgres",
  () => server.stop(),
  () => [server.pid],
);
const admin = new pg.Client({ connectionString: server.url() });
await admin.connect();
await admin.query(
  sharedBuffers
    ? `ALTER SYSTEM SET shared_buffers = '${sharedBuffers}'`
    : "ALTER SYSTEM RESET shared_buffers",
);
// shared_buffers takes a restart: compare what runs with what was asked (the embedded default
// when the flag is absent).
const { rows: running } = await admin.query<{ shared_buffers: string }>("SHOW shared_buffers");
const restart = running[0]?.shared_buffers !== (sharedBuffers ?? "128MB");
const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'bench_audit'");
const loaded = reuse && exists.rowCount === 1;
if (!loaded) await admin.query("CREATE DATABASE bench_audit");
await admin.end();
if (restart) {
  await server.stop();
  server = await startEmbeddedPostgres({ dataDir: join(dir, "data") });
}
const pool = new pg.Pool({ connectionString: server.url("bench_audit"), max: 4 });
teardown.add("the pool", () => pool.end());
try {
  const applied = await migrate(server.url("bench_audit"), [
    ...eventStoreMigrations,
    ...orchestratorMigrations,
    ...auditMigrations,
  ]);
  if (applied.length > 0) log(`migrations applied: ${applied.join(", ")}`);
  const start = new Date(Date.UTC(2026, 0, 1));
  let load: { insertSeconds: number; indexSeconds: number; totalSeconds: number } | undefined;
  if (loaded) {
    const { rows } = await pool.query<{ n: string }>("SELECT count(*)::text AS n FROM events");
    if (Number(rows[0]?.n) !== events)
      throw new Error(`${dir} holds ${rows[0]?.n} events, not ${events}: use another --data-dir`);
    log(`reusing the ${events} events loaded in ${dir}`);
    await pool.query("ANALYZE events");
  } else {
    log(`loading ${events} events over ${devices} devices (durable Postgres settings)…`);
    let lastReport = 0;
    load = await loadHistory(
      pool,
      { events, devices, start, spanMs: SPAN_MS, batchSize: 5_000, concurrency: 2 },
      (done) => {
        if (done - lastReport >= events / 10) {
          lastReport = done;
          log(`  ${done} loaded`);
        }
      },
      log,
    );
    log(
      `loaded in ${load.totalSeconds.toFixed(1)} s (rows ${load.insertSeconds.toFixed(1)} s, vacuum + indexes + analyze ${load.indexSeconds.toFixed(1)} s)`,
    );
  }
  await checkSample(pool);
  const { rows: sizes } = await pool.query<{ table_mb: number; indexes_mb: number }>(
    `SELECT round(pg_table_size('events') / 1048576.0)::int AS table_mb,
            round(pg_indexes_size('events') / 1048576.0)::int AS indexes_mb`,
  );
  log(`events: table ${sizes[0]?.table_mb} MB, indexes ${sizes[0]?.indexes_mb} MB`);

  const { rows: setting } = await pool.query<{ shared_buffers: string }>("SHOW shared_buffers");
  if (sharedBuffers) {
    await pool.query("CREATE EXTENSION IF NOT EXISTS pg_prewarm");
    await pool.query(
      "SELECT pg_prewarm('events_stream_id_stream_version_key'), pg_prewarm('events')",
    );
    log(`shared_buffers ${setting[0]?.shared_buffers}: events and its stream index prewarmed`);
  }

  const store = new PostgresEventStore(pool, createRegistry(deviceCatalog));
  const random = prng(99);
  const cursors: AuditCursor[] = [];
  const { rows } = await pool.query<{ transaction_id: string; global_position: string }>(
    "SELECT transaction_id, global_position FROM events TABLESAMPLE SYSTEM (1) LIMIT 500",
  );
  for (const row of rows)
    cursors.push({
      transactionId: BigInt(row.transaction_id),
      globalPosition: BigInt(row.global_position),
    });
  const types = TYPE_MIX.map(([type]) => type);
  const randomDevice = () => `d${Math.floor(random() * devices)}`;
  const randomHour = () => {
    const from = new Date(start.getTime() + Math.floor(random() * (SPAN_MS - HOUR)));
    return { from, to: new Date(from.getTime() + HOUR) };
  };

  if (args.explain) {
    await explain(pool, "device history (readStream, first page)", {
      text: READ_STREAM_SQL,
      values: [deviceStreamId(randomDevice()), 1, HISTORY_PAGE, null],
    });
    await explain(pool, "1-hour window", buildEventPageQuery(randomHour(), undefined, 101));
    await explain(
      pool,
      "type filter",
      buildEventPageQuery({ types: ["UpdateFailed"] }, cursors[0], 101),
    );
    await explain(
      pool,
      "rollout filter",
      buildEventPageQuery({ rolloutId: "rollout-7" }, undefined, 101),
    );
    await explain(pool, "fleet filter", buildEventPageQuery({ fleet: "fleet-3" }, undefined, 101));
    await explain(
      pool,
      "device filter",
      buildEventPageQuery({ deviceId: randomDevice() }, undefined, 101),
    );
  }

  const pageQuery = (filter: EventFilter, after?: AuditCursor): Sample => {
    const sql = buildEventPageQuery(filter, after, 101); // the API asks for limit + 1 rows
    return { sql, run: () => pool.query(sql) };
  };
  // What GET /v1/devices/:id/history runs (DevicesService.history): the first page of the stream.
  const deviceHistory = await measure(pool, "device history", () => {
    const stream = deviceStreamId(randomDevice());
    return {
      sql: { text: READ_STREAM_SQL, values: [stream, 1, HISTORY_PAGE, null] },
      run: () => store.readStream(stream, { fromVersion: 1, toVersion: HISTORY_PAGE }),
    };
  });
  // What GET /v1/devices/:id?at= runs (DevicesService.getAt): the stream up to an instant.
  const timeTravel = await measure(pool, "time travel", () => {
    const stream = deviceStreamId(randomDevice());
    const until = new Date(start.getTime() + Math.floor(random() * SPAN_MS));
    return {
      sql: { text: READ_STREAM_SQL, values: [stream, 1, 2 ** 31 - 1, until] },
      run: () => store.readStream(stream, { until }),
    };
  });
  // GET /v1/events?device=…: the same stream through the audit filter, in read-all order.
  const deviceFilter = await measure(pool, "audit device filter", () =>
    pageQuery({ deviceId: randomDevice() }),
  );
  const window1h = await measure(pool, "1-hour window", () => pageQuery(randomHour()));
  // GET /v1/events?rollout=…: the rollout's own stream and the TargetAssigned naming it.
  const rolloutFilter = await measure(pool, "rollout filter", () =>
    pageQuery({ rolloutId: `rollout-${Math.floor(random() * 20)}` }),
  );
  // GET /v1/events?fleet=…: one range scan of events_by_fleet_in_commit_order from the cursor.
  const fleetFilter = await measure(pool, "fleet filter (page after a random cursor)", () =>
    pageQuery(
      { fleet: `fleet-${Math.floor(random() * 10)}` },
      cursors[Math.floor(random() * cursors.length)],
    ),
  );
  const typeFilter = await measure(pool, "type filter (page after a random cursor)", (i) =>
    pageQuery(
      { types: [types[i % types.length] as string] },
      cursors[Math.floor(random() * cursors.length)],
    ),
  );
  console.log(
    JSON.stringify({
      events,
      devices,
      samples,
      shared_buffers: setting[0]?.shared_buffers,
      device_history_p95_ms: deviceHistory.client,
      window_1h_p95_ms: window1h.client,
      type_filter_p95_ms: typeFilter.client,
      time_travel_p95_ms: timeTravel.client,
      device_filter_p95_ms: deviceFilter.client,
      rollout_filter_p95_ms: rolloutFilter.client,
      fleet_filter_p95_ms: fleetFilter.client,
      // The same queries' time inside Postgres (EXPLAIN ANALYZE), free of client-side CPU waits.
      in_postgres_p95_ms: {
        device_history: deviceHistory.server,
        window_1h: window1h.server,
        type_filter: typeFilter.server,
        time_travel: timeTravel.server,
        device_filter: deviceFilter.server,
        rollout_filter: rolloutFilter.server,
        fleet_filter: fleetFilter.server,
      },
      load_eps: load ? Math.round(events / load.totalSeconds) : null,
      load_rows_eps: load ? Math.round(events / load.insertSeconds) : null,
      load_seconds: load ? Math.round(load.totalSeconds) : null,
      table_mb: sizes[0]?.table_mb,
      indexes_mb: sizes[0]?.indexes_mb,
      targets_at_10m: { device_history_p95_ms: 10, window_1h_p95_ms: 200 },
    }),
  );
} finally {
  await teardown.run();
}
