// `npm run bench:eventstore`: append and read-all throughput of PostgresEventStore next to
// Emmett's PostgreSQL event store and a naive INSERT loop, on one embedded Postgres with durable
// settings (fsync, synchronous_commit and full_page_writes on, as in a deployment).
// Progress on stderr; the last stdout line is one JSON object.
// Flags: --seconds N (per phase, default 6), --concurrency N (single-event streams, default 32),
// --batch N (default 100), --batch-concurrency N (default 8), --baseline <git-ref> (the same bench
// as that revision has it, run first in the same invocation; see bench/baseline.ts).
import { chmodSync, mkdtempSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  createRegistry,
  deviceCatalog,
  eventStoreMigrations,
  migrationDataSourceOptions,
  PostgresEventStore,
  poolOf,
  revisionCatalog,
  runMigrations,
  START,
} from "@statecast/events";
import { startEmbeddedPostgres } from "@statecast/infra";

import pg from "pg";
import { DataSource } from "typeorm";
import { runBaseline, sideBySide } from "../baseline.js";
import { benchTeardown } from "../teardown.js";
import { openCopyFloor } from "./copy-floor.js";
import { nodeCpuMs, postgresCpuMs } from "./cpu.js";
import { openEmmett } from "./emmett.js";
import { openNaive } from "./naive.js";
import { openTypeorm, ormEvent, ormStream } from "./typeorm.js";
import { enableWalTiming, walFigures, walSample } from "./wal.js";
import { type Appender, appendLoad, type Throughput } from "./workload.js";

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: "6" },
    concurrency: { type: "string", default: "32" },
    batch: { type: "string", default: "100" },
    "batch-concurrency": { type: "string", default: "8" },
    baseline: { type: "string" },
  },
});
const seconds = Number(flags.seconds);
const concurrency = Number(flags.concurrency);
const batch = Number(flags.batch);
const batchConcurrency = Number(flags["batch-concurrency"]);
for (const [name, value] of Object.entries({ seconds, concurrency, batch, batchConcurrency })) {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
}
const cpuPerEvent: Record<string, { node: number; postgres: number }> = {};
const walPerPhase: Record<string, ReturnType<typeof walFigures>> = {};
const log = (line: string) => process.stderr.write(`[bench:eventstore] ${line}\n`);

const teardown = benchTeardown(log);
const dir = mkdtempSync(join(tmpdir(), "statecast-bench-es-"));
teardown.removeAtEnd(dir);
chmodSync(dir, 0o755); // the server runs as the postgres user when we are root
const result: Record<string, unknown> = {
  postgres: "embedded, durable (fsync, synchronous_commit, full_page_writes on)",
  cpus: cpus().length,
  // The machine may be shared: a load above the CPU count means the figures are depressed.
  load_avg_1m_start: Number(loadavg()[0]?.toFixed(1)),
  seconds_per_phase: seconds,
  concurrency,
  batch_size: batch,
  batch_concurrency: batchConcurrency,
};
const baseline = flags.baseline
  ? await runBaseline({ ref: flags.baseline, script: "bench:eventstore", log, teardown })
  : undefined;
log(`starting embedded Postgres in ${dir}`);
const dataDir = join(dir, "data");
const server = await startEmbeddedPostgres({ dataDir });
teardown.add(
  "Postgres",
  () => server.stop(),
  () => [server.pid],
);
const pool = new pg.Pool({ connectionString: server.url(), max: 1 });
pool.on("error", (error) => log(`idle admin connection: ${error.message}`));
try {
  await pool.query("CREATE DATABASE bench");
  await enableWalTiming(pool);
  await pool.end();
  const url = server.url("bench");
  // One DataSource, as a service has: the event store runs its SQL on the DataSource's pool.
  const dataSource = new DataSource({
    ...migrationDataSourceOptions(url, eventStoreMigrations),
    poolSize: concurrency + 4,
    entities: [ormStream, ormEvent],
    // Idle connections die when the server stops; say so instead of crashing the report.
    poolErrorHandler: (error: Error) => log(`idle connection: ${error.message}`),
  });
  await dataSource.initialize();
  await runMigrations(dataSource);
  const db = poolOf(dataSource);
  const store = new PostgresEventStore(db, createRegistry(deviceCatalog, revisionCatalog));
  const ours: Appender = async (stream, events, version) =>
    (await store.append(stream, events, { expectedVersion: version === 0 ? "no_stream" : version }))
      .nextExpectedVersion;

  const phase = async (
    name: string,
    append: Appender,
    c: number,
    b: number,
  ): Promise<Throughput> => {
    await appendLoad(`${name}-warm`, append, { concurrency: c, batch: b, seconds: 0.5 });
    const walBefore = await walSample(db);
    const cpuBefore = { node: nodeCpuMs(), postgres: postgresCpuMs(dataDir) };
    const t = await appendLoad(name, append, { concurrency: c, batch: b, seconds });
    walPerPhase[name] = walFigures(walBefore, await walSample(db), t.events);
    // Microseconds of CPU per event appended, this process and the Postgres cluster apart.
    const perEvent = (ms: number) => Math.round((ms * 1000) / t.events);
    cpuPerEvent[name] = {
      node: perEvent(nodeCpuMs() - cpuBefore.node),
      postgres: perEvent(postgresCpuMs(dataDir) - cpuBefore.postgres),
    };
    log(
      `${name}: ${t.eps} events/s (${t.events} in ${t.seconds.toFixed(1)} s), CPU µs/event ${JSON.stringify(cpuPerEvent[name])}, WAL ${JSON.stringify(walPerPhase[name])}`,
    );
    return t;
  };

  result.single_eps = (await phase("single", ours, concurrency, 1)).eps;
  result.batch_eps = (await phase("batch", ours, batchConcurrency, batch)).eps;
  result.readall_eps = await readAllRate(store);
  // The same store on a pg.Pool of its own (as services had before the DataSource): A/B in one run.
  const ownPool = new pg.Pool({ connectionString: url, max: concurrency + 4 });
  ownPool.on("error", (error) => log(`idle connection: ${error.message}`));
  const ownStore = new PostgresEventStore(ownPool, createRegistry(deviceCatalog, revisionCatalog));
  const onOwnPool: Appender = async (stream, events, version) =>
    (
      await ownStore.append(stream, events, {
        expectedVersion: version === 0 ? "no_stream" : version,
      })
    ).nextExpectedVersion;
  result.own_pool_single_eps = (await phase("own-pool-single", onOwnPool, concurrency, 1)).eps;
  result.own_pool_batch_eps = (
    await phase("own-pool-batch", onOwnPool, batchConcurrency, batch)
  ).eps;
  await ownStore.close();
  await ownPool.end();

  try {
    const emmett = await openEmmett(url, db);
    result.emmett_single_eps = (await phase("emmett-single", emmett.append, concurrency, 1)).eps;
    result.emmett_batch_eps = (
      await phase("emmett-batch", emmett.append, batchConcurrency, batch)
    ).eps;
    await emmett.close();
  } catch (error) {
    result.emmett_error =
      error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    log(`emmett failed: ${result.emmett_error}`);
  }
  const orm = await openTypeorm(dataSource);
  result.typeorm_single_eps = (await phase("typeorm-single", orm, concurrency, 1)).eps;
  result.typeorm_batch_eps = (await phase("typeorm-batch", orm, batchConcurrency, batch)).eps;
  result.naive_single_eps = (await phase("naive-single", await openNaive(db), concurrency, 1)).eps;
  // The floor of a batch append: the same rows, batches and concurrency, COPYed.
  const copyBare = await openCopyFloor(db, false);
  result.copy_floor_eps = (await phase("copy-floor", copyBare, batchConcurrency, batch)).eps;
  const copyIndexed = await openCopyFloor(db, true);
  result.indexed_floor_eps = (
    await phase("indexed-floor", copyIndexed, batchConcurrency, batch)
  ).eps;
  result.batch_of_indexed_floor = Number(
    ((result.batch_eps as number) / (result.indexed_floor_eps as number)).toFixed(2),
  );
  result.cpu_us_per_event = cpuPerEvent;
  result.wal = walPerPhase;
  await store.close();
  await dataSource.destroy();
} finally {
  await teardown.run();
}
result.load_avg_1m_end = Number(loadavg()[0]?.toFixed(1));
result.targets = "single_eps >= 5000, batch_eps >= 50000, both ahead of emmett";
if (baseline) {
  log(`baseline ${baseline.ref} (${baseline.commit.slice(0, 12)}) → this tree, same invocation:`);
  for (const line of sideBySide(baseline.result, result)) log(`  ${line}`);
  Object.assign(result, { baseline_ref: baseline.ref, baseline_commit: baseline.commit });
  result.baseline = baseline.result;
}
process.stdout.write(`${JSON.stringify(result)}\n`);

async function readAllRate(store: PostgresEventStore): Promise<number> {
  const start = performance.now();
  let position = START;
  let events = 0;
  for (;;) {
    const page = await store.readAll({ after: position, limit: 1000 });
    if (page.events.length === 0) break;
    events += page.events.length;
    position = page.position;
  }
  const eps = Math.round(events / ((performance.now() - start) / 1000));
  log(`readall: ${eps} events/s (${events} events)`);
  return eps;
}
