// bench:rollout — the orchestrator alone on its own embedded Postgres: N simulated devices, 4 waves,
// zero soak, every transition a committed event. Prints one JSON object as its last line.
import { chmodSync, mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PostgresEventStore } from "@statecast/events";
import { freePort, startEmbeddedPostgres, startNatsServer } from "@statecast/infra";
import { bootstrapApp } from "@statecast/platform";
import pg from "pg";
import { AppModule } from "../../apps/orchestrator/src/app.module.js";
import { loadOrchestratorConfig } from "../../apps/orchestrator/src/config/orchestrator.config.js";
import { orchestratorRegistry } from "../../apps/orchestrator/src/projections/projections.module.js";
import {
  enrollSimDevices,
  postSimRevision,
  sim,
} from "../../apps/orchestrator/src/testing/rollout-sim/device-sim.test-helper.js";
import { benchTeardown } from "../teardown.js";
import { processorLags, rolloutStatus, waitFor } from "./probes.js";

const { values: args } = parseArgs({
  options: { devices: { type: "string", default: "10000" } },
});
const devices = Number(args.devices);
if (!Number.isInteger(devices) || devices < 10)
  throw new Error(`--devices must be a whole number ≥ 10, got ${args.devices}`);
const WAVES = [1, 9, 30, 60].map((percent) => ({
  size: { percent },
  minSample: 1,
  soakSeconds: 0,
  maxFailures: { count: 0 }, // every device must succeed: the last gate closes when all are DONE
}));
const TOKEN = "bench-admin-token-0123456789abcdef";
const log = (message: string) => process.stderr.write(`${message}\n`);
const load = () => Number(loadavg()[0]?.toFixed(1));
const loadStart = load();

const teardown = benchTeardown(log);
const dir = mkdtempSync(join(tmpdir(), "statecast-bench-rollout-"));
teardown.removeAtEnd(dir);
chmodSync(dir, 0o755); // the server runs as the postgres user when we are root
const postgres = await startEmbeddedPostgres({ dataDir: join(dir, "pg") });
teardown.add(
  "Postgres",
  () => postgres.stop(),
  () => [postgres.pid],
);
const nats = await startNatsServer({ storeDir: join(dir, "nats") });
teardown.add(
  "nats-server",
  () => nats.stop(),
  () => [nats.process.pid],
);
const admin = new pg.Client({ connectionString: postgres.url() });
await admin.connect();
await admin.query("CREATE DATABASE bench_rollout");
await admin.end();
const url = postgres.url("bench_rollout");
const config = loadOrchestratorConfig({
  DATABASE_URL: url,
  NATS_URL: nats.url,
  STATECAST_DATA_DIR: join(dir, "data"),
  STATECAST_ADMIN_TOKEN: TOKEN,
  STATECAST_LOG_LEVEL: "error",
  STATECAST_HTTP_PORT: String(await freePort()),
});
const service = await bootstrapApp(AppModule.register(config), { name: "orchestrator", config });
teardown.add("the orchestrator", () => service.close());
const pool = new pg.Pool({ connectionString: url, max: 24 });
teardown.add("the pool", () => pool.end());
const store = new PostgresEventStore(pool, orchestratorRegistry());
teardown.add("the store", () => store.close());
const call = async (path: string, json?: unknown) => {
  const res = await fetch(`${service.url}${path}`, {
    method: json === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
};

try {
  const fleet = "bench";
  await postSimRevision(store, { fleet, number: 1 });
  await postSimRevision(store, { fleet, number: 2 });
  log(`enrolling ${devices} simulated devices…`);
  const ids = Array.from({ length: devices }, (_, i) => ({ deviceId: `dev-${i}`, fleet }));
  await enrollSimDevices(store, ids, { fleet, number: 1 }, 24);
  await waitFor("the device registry to hold every device", 120_000, async () => {
    const { rows } = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM device_registry WHERE record -> 'currentRevision' <> 'null'",
    );
    return (rows[0]?.n ?? 0) >= devices;
  });
  const fleetSim = sim(store, { name: "bench" });
  const { rows: head } = await pool.query<{ p: string }>(
    "SELECT coalesce(max(global_position), 0) AS p FROM events",
  );
  const created = await call("/v1/rollouts", {
    revision: { fleet, number: 2 },
    selector: { fleet },
    waves: WAVES,
  });
  const rolloutId = String(created.rolloutId);
  log(`rollout ${rolloutId}: starting`);
  const t0 = performance.now();
  await call(`/v1/rollouts/${rolloutId}/start`, {});
  const status = await waitFor("the rollout to complete", 300_000, async () => {
    const s = await rolloutStatus(pool, rolloutId);
    if (s === "paused" || s === "aborted") throw new Error(`rollout ended ${s}`);
    return s === "completed" ? s : undefined;
  });
  const seconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const lags = await processorLags(pool, t1, 600_000);
  const projectionLagMs = Math.round(performance.now() - t1);
  for (const lag of lags)
    log(`  ${lag.name}: caught up after ${lag.lag_ms} ms (${lag.behind_events} events behind)`);
  await fleetSim.stop();
  // Progress views fold on read: time the cached view and a full refold of the stream (?at=).
  let t2 = performance.now();
  const progress = await call(`/v1/rollouts/${rolloutId}`);
  const progressMs = Math.round(performance.now() - t2);
  t2 = performance.now();
  await call(`/v1/rollouts/${rolloutId}?at=${encodeURIComponent(new Date().toISOString())}`);
  const refoldMs = Math.round(performance.now() - t2);
  const waves = progress.waves as { counts: { succeeded: number } }[];
  const succeeded = waves.reduce((sum, w) => sum + w.counts.succeeded, 0);
  if (succeeded !== devices) throw new Error(`${succeeded} of ${devices} devices succeeded`);
  const { rows } = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM events WHERE global_position > $1",
    [head[0]?.p ?? "0"],
  );
  const events = rows[0]?.n ?? 0;
  console.log(
    JSON.stringify({
      devices,
      waves: WAVES.length,
      status,
      seconds: Number(seconds.toFixed(2)),
      events,
      events_per_s: Math.round(events / seconds),
      projection_lag_ms: projectionLagMs,
      last_processor: lags[0]?.name,
      processor_lag_ms: Object.fromEntries(lags.map((lag) => [lag.name, lag.lag_ms])),
      processor_behind_events: Object.fromEntries(lags.map((lag) => [lag.name, lag.behind_events])),
      progress_view_ms: progressMs,
      progress_refold_ms: refoldMs,
      load_avg_1m_start: loadStart,
      load_avg_1m_end: load(),
    }),
  );
} finally {
  await teardown.run();
}
