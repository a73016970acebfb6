// npm run bench:audit [-- --events 10000000] : audit query latency over a synthetic history.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  createRegistry,
  deviceCatalog,
  eventStoreMigrations,
  migrate,
  PostgresEventStore,
} from "@statecast/events";
import { startEmbeddedPostgres } from "@statecast/infra";
import pg from "pg";
import type { AuditCursor } from "../../apps/orchestrator/src/audit/audit-cursor.js";
import { buildEventPageQuery } from "../../apps/orchestrator/src/audit/event-filter.js";
import { orchestratorMigrations } from "../../apps/orchestrator/src/projections/read-model.migrations.js";
import { loadHistory } from "./load.js";
import { prng, TYPE_MIX } from "./synthetic-history.js";

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    devices: { type: "string" },
    samples: { type: "string", default: "300" },
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

const log = (line: string) => process.stderr.write(`[bench:audit] ${line}\n`);
const HOUR = 3_600_000;
// 30 days of history, whatever N: a bigger N means a busier fleet (more events per hour).
const SPAN_MS = 30 * 24 * HOUR;

function p95(ms: number[]): number {
  const sorted = [...ms].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length * 0.95)] ?? Number.NaN) * 100) / 100;
}

async function measure(name: string, run: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await run(i); // warm the cache and the plans
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    await run(i);
    times.push(performance.now() - t);
  }
  const result = p95(times);
  log(`${name}: p95 ${result} ms over ${samples} queries`);
  return result;
}

const dir = mkdtempSync(join(tmpdir(), "statecast-bench-audit-"));
chmodSync(dir, 0o755); // the server runs as the postgres user when we are root
const server = await startEmbeddedPostgres({ dataDir: join(dir, "data") });
const admin = new pg.Client({ connectionString: server.url() });
await admin.connect();
await admin.query("CREATE DATABASE bench_audit");
await admin.end();
const pool = new pg.Pool({ connectionString: server.url("bench_audit"), max: 4 });
try {
  await migrate(pool, [...eventStoreMigrations, ...orchestratorMigrations]);
  const start = new Date(Date.UTC(2026, 0, 1));
  log(`loading ${events} events over ${devices} devices (durable Postgres settings)…`);
  let lastReport = 0;
  const loadSeconds = await loadHistory(
    pool,
    { events, devices, start, spanMs: SPAN_MS, batchSize: 5_000, concurrency: 2 },
    (done) => {
      if (done - lastReport >= events / 10) {
        lastReport = done;
        log(`  ${done} loaded`);
      }
    },
  );
  log(`loaded in ${loadSeconds.toFixed(1)} s; analyzing`);
  await pool.query("VACUUM ANALYZE events");

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

  const deviceHistory = await measure("device history", () =>
    store.readStream(`device:d${Math.floor(random() * devices)}`),
  );
  const window1h = await measure("1-hour window", () => {
    const from = new Date(start.getTime() + Math.floor(random() * (SPAN_MS - HOUR)));
    return pool.query(
      buildEventPageQuery({ from, to: new Date(from.getTime() + HOUR) }, undefined, 100),
    );
  });
  const typeFilter = await measure("type filter (page after a random cursor)", (i) => {
    const type = types[i % types.length] as string;
    const after = cursors[Math.floor(random() * cursors.length)];
    return pool.query(buildEventPageQuery({ types: [type] }, after, 100));
  });
  console.log(
    JSON.stringify({
      events,
      devices,
      samples,
      device_history_p95_ms: deviceHistory,
      window_1h_p95_ms: window1h,
      type_filter_p95_ms: typeFilter,
      load_eps: Math.round(events / loadSeconds),
      targets_at_10m: { device_history_p95_ms: 10, window_1h_p95_ms: 200 },
    }),
  );
} finally {
  await pool.end();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
