// `npm run bench:fleet [-- --devices N]`: the whole path. Embedded Postgres, a nats-server on the
// GENERATED operator config, the built orchestrator and gateway as child processes connecting
// with SERVICES creds, and N `sim` agents, each its own NATS connection on its own device creds.
// A signed revision goes out in a 4-wave rollout with zero soak. Progress on stderr; the last
// stdout line is one JSON object. `--baseline <git-ref>` first runs the same bench as that
// revision has it, in the same invocation (bench/baseline.ts). See bench/fleet/README.md.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { PostgresEventStore, rolloutStreamId } from "@statecast/events";
import { freePort, startEmbeddedPostgres, startNatsServer } from "@statecast/infra";
import {
  credsConnectionOptions,
  ensureOperatorSetup,
  issueServiceUser,
  renderServerConfig,
} from "@statecast/nats-auth";
import pg from "pg";
import {
  ensureTargetKey,
  targetKeyPaths,
} from "../../apps/device-gateway/src/targets/target-key.js";
import { BusyboxStates } from "../../apps/launcher/src/demo/busybox-state.js";
import { orchestratorRegistry } from "../../apps/orchestrator/src/projections/projections.module.js";
import { runBaseline, sideBySide } from "../baseline.js";
import { benchTeardown } from "../teardown.js";
import { enrollDevices } from "./agents.js";
import { cpuBetween, cpuSeconds } from "./cpu-time.js";
import { measureFloor, messagesBetween, streamCounters } from "./floor.js";
import { startLoadGenerators } from "./load-generators.js";
import { objectReadFigures } from "./object-reads.js";
import { replicaShares } from "./replica-share.js";
import { rssOf, startServiceProcess } from "./service-process.js";
import { logStall } from "./stall-report.js";
import { targetWriteLag } from "./target-lag.js";

const { values: args } = parseArgs({
  options: {
    devices: { type: "string", default: "1000" },
    "commit-delay-ms": { type: "string", default: "50" },
    // The agents run in child processes of at most this many each (the load generators).
    "agents-per-process": { type: "string", default: "2500" },
    // The rollout fails when not completed within this many minutes.
    "timeout-minutes": { type: "string", default: "15" },
    baseline: { type: "string" },
    // Scale-out (issue 16): this many orchestrators and gateways, each its own process, on the
    // same Postgres and NATS, their processors split into this many partitions.
    replicas: { type: "string", default: "1" },
    // A paced rollout: at most this many devices updating at once (default: no limit).
    "max-in-flight": { type: "string" },
  },
});
const maxInFlight = args["max-in-flight"] === undefined ? undefined : Number(args["max-in-flight"]);
if (maxInFlight !== undefined && !(Number.isInteger(maxInFlight) && maxInFlight >= 1))
  throw new Error(`--max-in-flight must be a whole number ≥ 1, got ${args["max-in-flight"]}`);
const replicas = Number(args.replicas);
if (!Number.isInteger(replicas) || replicas < 1 || replicas > 8)
  throw new Error(`--replicas must be a whole number 1-8, got ${args.replicas}`);
const agentsPerProcess = Number(args["agents-per-process"]);
if (!Number.isInteger(agentsPerProcess) || agentsPerProcess < 1)
  throw new Error(`--agents-per-process must be a whole number ≥ 1`);
const timeoutMinutes = Number(args["timeout-minutes"]);
if (!(timeoutMinutes > 0)) throw new Error("--timeout-minutes must be a number > 0");
const devices = Number(args.devices);
const commitDelayMs = Number(args["commit-delay-ms"]);
if (!Number.isInteger(devices) || devices < 10)
  throw new Error(`--devices must be a whole number ≥ 10, got ${args.devices}`);
if (!Number.isInteger(commitDelayMs) || commitDelayMs < 0)
  throw new Error(`--commit-delay-ms must be a whole number ≥ 0, got ${args["commit-delay-ms"]}`);

const WAVES = [1, 9, 30, 60].map((percent) => ({
  size: { percent },
  minSample: 1,
  soakSeconds: 0,
  maxFailures: { count: 0 }, // every device must succeed: the last gate closes when all are DONE
}));
const TOKEN = "bench-admin-token-0123456789abcdef";
const FLEET = "bench";
const t00 = performance.now();
const log = (line: string) =>
  process.stderr.write(
    `[bench:fleet ${((performance.now() - t00) / 1000).toFixed(1).padStart(6)} s] ${line}\n`,
  );
const load = () => Number(loadavg()[0]?.toFixed(1));

const teardown = benchTeardown(log);
const dir = mkdtempSync(join(tmpdir(), "statecast-bench-fleet-"));
teardown.removeAtEnd(dir);
chmodSync(dir, 0o755); // the embedded server runs as the postgres user when we are root

const baseline = args.baseline
  ? await runBaseline({ ref: args.baseline, script: "bench:fleet", log, teardown })
  : undefined;
const result: Record<string, unknown> = { cpus: cpus().length, load_avg_1m_start: load() };
try {
  log(`starting embedded Postgres and nats-server (generated operator config) in ${dir}`);
  // With BENCH_FLEET_CPU_PROF set, Postgres counts its statements too (pg_stat_statements).
  const profiling = process.env.BENCH_FLEET_CPU_PROF;
  const postgres = await startEmbeddedPostgres({
    dataDir: join(dir, "pg"),
    ...(profiling ? { settings: { shared_preload_libraries: "pg_stat_statements" } } : {}),
  });
  teardown.add(
    "Postgres",
    () => postgres.stop(),
    () => [postgres.pid],
  );
  const admin = new pg.Client({ connectionString: postgres.url() });
  await admin.connect();
  await admin.query("CREATE DATABASE bench_fleet");
  await admin.end();
  const databaseUrl = postgres.url("bench_fleet");
  if (profiling) {
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query("CREATE EXTENSION pg_stat_statements");
    await db.end();
  }

  const setup = await ensureOperatorSetup(join(dir, "operator"));
  const natsPort = await freePort();
  const natsConfig = join(dir, "nats.conf");
  const natsStore = join(dir, "jetstream");
  writeFileSync(
    natsConfig,
    renderServerConfig({ setup, port: natsPort, storeDir: natsStore, storeDirOnCommandLine: true }),
  );
  const nats = await startNatsServer({
    configFile: natsConfig,
    storeDir: natsStore,
    port: natsPort,
  });
  teardown.add(
    "nats-server",
    () => nats.stop(),
    () => [nats.process.pid],
  );
  const servicesCreds = await issueServiceUser(setup, "bench-services");
  const credsFile = join(dir, "services.creds");
  writeFileSync(credsFile, servicesCreds, { mode: 0o600 });

  const dataDir = join(dir, "data");
  ensureTargetKey(dataDir);
  const targetKeyPem = readFileSync(targetKeyPaths(dataDir).publicKey, "utf8");
  const env = {
    DATABASE_URL: databaseUrl,
    NATS_URL: nats.url,
    NATS_CREDS: credsFile,
    STATECAST_DATA_DIR: dataDir,
    STATECAST_ADMIN_TOKEN: TOKEN,
    STATECAST_LOG_LEVEL: "error",
  };
  // Replica i prefers partition i of each partitioned processor (orchestrator and gateway).
  const replicaEnv = (i: number): Record<string, string> =>
    replicas === 1
      ? {}
      : {
          STATECAST_PROCESSOR_PARTITIONS: String(replicas),
          STATECAST_TARGET_PARTITIONS: String(replicas),
          STATECAST_REPLICA_INDEX: String(i),
          STATECAST_REPLICAS: String(replicas),
        };
  const startReplicas = async (name: "orchestrator" | "device-gateway", short: string) => {
    const started = [];
    // One after the other: the first runs the migrations before the others start.
    for (let i = 0; i < replicas; i++) {
      const label = replicas === 1 ? name : `${short}${i}`;
      const service = await startServiceProcess(name, { ...env, ...replicaEnv(i) }, log, label);
      teardown.add(
        `the ${label}`,
        () => service.stop(),
        () => [service.child.pid],
      );
      started.push(service);
    }
    return started;
  };
  log(`starting ${replicas} built orchestrator(s), then ${replicas} gateway(s) (child processes)`);
  const orchestrators = await startReplicas("orchestrator", "orchestrator-");
  const gateways = await startReplicas("device-gateway", "gateway-");
  const orchestrator = orchestrators[0] as (typeof orchestrators)[number];

  const api = async (path: string, method = "GET", body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` };
    if (body instanceof Buffer) headers["content-type"] = "application/octet-stream";
    else if (body !== undefined) headers["content-type"] = "application/json";
    const request = () =>
      fetch(`${orchestrator.url}${path}`, {
        method,
        headers,
        ...(body === undefined
          ? {}
          : { body: body instanceof Buffer ? body : JSON.stringify(body) }),
      });
    // A GET is retried when the server closed a kept-alive socket as we reused it.
    const res = await request().catch((error: unknown) => {
      if (method !== "GET") throw error;
      return request();
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  };

  log("posting a signed revision (busybox state, trust policy for the fleet)");
  const release = new BusyboxStates();
  const policy = {
    mode: "strict",
    trusted: [{ name: "release", pem: release.key.publicKeyPem, keys: ["**"] }],
  };
  await api(`/v1/fleets/${FLEET}/trust-policy`, "PUT", policy);
  const { state } = release.build([{ name: "app", init: "exec /bin/sleep 1000000" }], "bench");
  for (const [sha, bytes] of release.objects) await api(`/v1/objects/${sha}`, "PUT", bytes);
  const posted = await api(`/v1/fleets/${FLEET}/revisions`, "POST", { state, message: "bench" });
  const number = Number(posted.number);

  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  teardown.add("the pool", () => pool.end());
  const store = new PostgresEventStore(pool, orchestratorRegistry());
  log(`enrolling ${devices} devices (own NATS user each, DeviceEnrolled)`);
  const enrolled = await enrollDevices(store, setup, FLEET, devices, (n) => {
    if (n % 2000 === 0 || n === devices) log(`  enrolled ${n}/${devices}`);
  });

  const processes = Math.ceil(devices / agentsPerProcess);
  log(
    `connecting ${devices} sim agents (one NATS connection each) in ${processes} load generator process(es)`,
  );
  const generators = startLoadGenerators(
    enrolled,
    {
      root: join(dir, "devices"),
      natsUrl: nats.url,
      targetKeyPem,
      trustPolicy: release.trustPolicy,
      commitDelayMs,
      // 32 at once in all (as one process did): more let CONNECTs miss the server's auth timeout.
      connectConcurrency: Math.max(4, Math.ceil(32 / processes)),
    },
    processes,
    log,
  );
  let resourceErrors: Record<string, number> = {};
  const stopAgents = async () => {
    resourceErrors = { ...resourceErrors, ...(await generators.stop()) };
  };
  teardown.add("the load generators", stopAgents, () => generators.pids);
  await generators.ready((n) => log(`  connected ${n}/${devices}`));
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM device_registry",
    );
    if ((rows[0]?.n ?? 0) >= devices) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const nc = await connect({ servers: nats.url, ...credsConnectionOptions(servicesCreds) });
  teardown.add("the bench's NATS connection", () => nc.close());
  const jsm = await jetstreamManager(nc);
  const countersBefore = await streamCounters(jsm);
  const { rows: head } = await pool.query<{ p: string }>(
    "SELECT coalesce(max(global_position), 0)::text AS p FROM events",
  );
  const from = head[0]?.p ?? "0";
  const created = await api("/v1/rollouts", "POST", {
    revision: { fleet: FLEET, number },
    selector: { fleet: FLEET },
    waves: WAVES,
    ...(maxInFlight === undefined ? {} : { maxInFlight }),
  });
  const rolloutId = String(created.rolloutId);
  const pace = maxInFlight === undefined ? "" : `, at most ${maxInFlight} devices updating at once`;
  log(`rollout ${rolloutId}: 4 waves (1/9/30/60 %), zero soak${pace} — starting (load ${load()})`);
  if (profiling) await pool.query("SELECT pg_stat_statements_reset(), pg_stat_reset()");
  const cpuRoots = () => ({
    orchestrator: orchestrators.map((o) => o.child.pid),
    gateway: gateways.map((g) => g.child.pid),
    load_generators: generators.pids,
    postgres: [postgres.pid],
    nats_server: [nats.process.pid],
  });
  const cpuBefore = cpuSeconds(cpuRoots());
  const benchCpuBefore = process.cpuUsage();
  const t0 = performance.now();
  const startedAt = Date.now();
  await api(`/v1/rollouts/${rolloutId}/start`, "POST", { reason: "bench" });
  let progress: Record<string, unknown> = {};
  let lastLine = "";
  let lastPrint = 0;
  for (;;) {
    progress = await api(`/v1/rollouts/${rolloutId}`);
    const status = String(progress.status);
    if (status === "paused" || status === "aborted") {
      // Why: the failure events the devices' reports became (their reason is in the data).
      const { rows: why } = await pool.query<{ stream_id: string; type: string; data: unknown }>(
        `SELECT stream_id, type, data FROM events WHERE global_position > $1
           AND type IN ('UpdateRejected', 'UpdateFailed') ORDER BY global_position LIMIT 10`,
        [from],
      );
      for (const row of why) log(`  ${row.stream_id} ${row.type}: ${JSON.stringify(row.data)}`);
      await logStall(log, gateways[0]!.url, jsm);
      throw new Error(`rollout ended ${status}: ${JSON.stringify(progress)}`);
    }
    if (status === "completed") break;
    const waves = progress.waves as { status: string; counts: Record<string, number> }[];
    const line = waves
      .map((w, i) => `w${i + 1} ${w.status} ${w.counts.succeeded ?? 0}✓ ${w.counts.failed ?? 0}✗`)
      .join(" | ");
    if (line !== lastLine || performance.now() - lastPrint > 5000) {
      log(`  ${status}: ${line}  (load ${load()})`);
      lastLine = line;
      lastPrint = performance.now();
    }
    if (performance.now() - t0 > timeoutMinutes * 60_000) {
      await logStall(log, gateways[0]!.url, jsm);
      throw new Error(`rollout not completed after ${timeoutMinutes} min`);
    }
    // Once a second: the progress read is the orchestrator's and Postgres's work too (it was
    // every 250 ms, 4 % of Postgres's statement time); the end is the event's own time below.
    await new Promise((r) => setTimeout(r, 1000));
  }
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const cpu: Record<string, number> = {
    ...cpuBetween(cpuBefore, cpuSeconds(cpuRoots())),
    bench: Math.round((benchCpu.user + benchCpu.system) / 1e5) / 10,
  };
  const seconds = ((await completedAt(pool, rolloutId, from)) - startedAt) / 1000;
  const countersAfter = await streamCounters(jsm);
  const { rows: tail } = await pool.query<{ p: string }>(
    "SELECT coalesce(max(global_position), 0)::text AS p FROM events",
  );
  const to = tail[0]?.p ?? from;
  log(`rollout completed in ${seconds.toFixed(2)} s (load ${load()})`);
  const cpuTotal = Object.values(cpu).reduce((n, v) => n + v, 0);
  log(
    `CPU seconds while it ran (${cpus().length} cores): ${JSON.stringify(cpu)}, ${cpuTotal.toFixed(1)} in all; the agents ${(((cpu.load_generators ?? 0) * 1000) / devices).toFixed(1)} ms a device`,
  );
  const objectReads = await objectReadFigures(gateways[0]!.url);
  log(`gateway object reads (the first gateway): ${JSON.stringify(objectReads)}`);
  const orchestratorRss = orchestrators.map((o) => o.rssMb());
  const gatewayRss = gateways.map((g) => g.rssMb());
  const peak = (rss: { peak: number }[]) => Math.max(...rss.map((r) => r.peak));
  const mb = (rss: { now: number; peak: number }[]) =>
    rss.map((r) => `${r.now} / ${r.peak}`).join(", ");
  log(`RSS now / peak: orchestrator ${mb(orchestratorRss)} MB, gateway ${mb(gatewayRss)} MB`);
  const shares = replicas > 1 ? await replicaShares(orchestrators, gateways) : undefined;
  for (const share of shares ?? []) log(`replica ${share.replica}: ${JSON.stringify(share)}`);

  const waves = progress.waves as { counts: Record<string, number> }[];
  const succeeded = waves.reduce((sum, w) => sum + (w.counts.succeeded ?? 0), 0);
  if (succeeded !== devices) throw new Error(`${succeeded} of ${devices} devices succeeded`);
  const { rows: counted } = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM events WHERE global_position > $1 AND global_position <= $2",
    [from, to],
  );
  const events = counted[0]?.n ?? 0;
  const { rows: latency } = await pool.query<{ p50: number; p99: number; n: number }>(
    `WITH assigned AS (
       SELECT stream_id, min(recorded_at) AS at FROM events
       WHERE type = 'TargetAssigned' AND global_position > $1 AND global_position <= $2
       GROUP BY stream_id),
     done AS (
       SELECT stream_id, min(recorded_at) AS at FROM events
       WHERE type = 'UpdateSucceeded' AND global_position > $1 AND global_position <= $2
       GROUP BY stream_id)
     SELECT count(*)::int AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM done.at - assigned.at))
         * 1000 AS p50,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM done.at - assigned.at))
         * 1000 AS p99
     FROM assigned JOIN done USING (stream_id)`,
    [from, to],
  );
  // Where a device's time goes: median time from its TargetAssigned to each kind of event.
  // `received_ms`: the same from the event's metadata.now (for a report, when the gateway took it
  // from SC_DEVICE_STATUS), so each step splits into the device's part and the ingestion's.
  const { rows: steps } = await pool.query<{ step: string; ms: number; received_ms: number }>(
    `WITH assigned AS (
       SELECT stream_id, min(recorded_at) AS at FROM events
       WHERE type = 'TargetAssigned' AND global_position > $1 AND global_position <= $2
       GROUP BY stream_id)
     SELECT e.type || coalesce(':' || (e.data ->> 'status'), '') AS step,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM e.recorded_at - a.at))
         * 1000)::int AS ms,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY
         extract(epoch FROM (e.metadata ->> 'now')::timestamptz - a.at)) * 1000)::int AS received_ms
     FROM events e JOIN assigned a USING (stream_id)
     WHERE e.global_position > $1 AND e.global_position <= $2
     GROUP BY 1 ORDER BY 2`,
    [from, to],
  );
  const targetLag = await targetWriteLag(nc, pool, { from, to });
  log(
    `target written to sc_targets ${targetLag.p50_target_write_ms} ms (median; p99 ${targetLag.p99_target_write_ms}) after TargetAssigned`,
  );
  log(`median ms after TargetAssigned: ${steps.map((s) => `${s.step} ${s.ms}`).join(", ")}`);
  log(
    `  of which received by the gateway: ${steps.map((s) => `${s.step} ${s.received_ms}`).join(", ")}`,
  );
  const moved = messagesBetween(countersBefore, countersAfter);
  log(
    `${events} events, ${moved.messages} NATS messages stored (${JSON.stringify(moved.perStream)})`,
  );

  const generatorsRss = generators.pids.map((pid) => rssOf(pid).peak);
  if (profiling) {
    const { rows: statements } = await pool.query<Record<string, unknown>>(
      `SELECT calls, round(total_exec_time)::int AS total_ms, round(mean_exec_time::numeric, 2) AS mean_ms,
         rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'bench_fleet')
       ORDER BY total_exec_time DESC LIMIT 40`,
    );
    mkdirSync(profiling, { recursive: true });
    writeFileSync(join(profiling, "pg_stat_statements.json"), JSON.stringify(statements, null, 2));
    // Row writes per table since the rollout started; an update kept on its page touches no index.
    const { rows: tables } = await pool.query<Record<string, unknown>>(
      `SELECT relname AS table, n_tup_ins AS inserts, n_tup_upd AS updates, n_tup_hot_upd AS hot_updates
       FROM pg_stat_user_tables WHERE n_tup_ins + n_tup_upd > 0 ORDER BY n_tup_upd DESC`,
    );
    writeFileSync(join(profiling, "pg_stat_user_tables.json"), JSON.stringify(tables, null, 2));
    log(
      `pg_stat_statements (top 40 by total time) and row writes by table written to ${profiling}`,
    );
  }
  log("stopping the agents before the floor run");
  await stopAgents();
  if (Object.keys(resourceErrors).length > 0)
    log(`the agents retried resource errors: ${JSON.stringify(resourceErrors)}`);
  const { rows: eventRows } = await pool.query<{
    tx: string;
    type: string;
    data: string;
    metadata: string;
  }>(
    `SELECT transaction_id::text AS tx, type, data::text AS data, metadata::text AS metadata
     FROM events WHERE global_position > $1 AND global_position <= $2
     ORDER BY transaction_id, global_position`,
    [from, to],
  );
  const transactions: { type: string; data: string; metadata: string }[][] = [];
  let current = "";
  for (const row of eventRows) {
    if (row.tx !== current) {
      transactions.push([]);
      current = row.tx;
    }
    transactions[transactions.length - 1]?.push(row);
  }
  log(
    `floor: ${moved.messages} raw JetStream publishes (${moved.meanBytes} B) and ${events} rows in ${transactions.length} plain INSERT transactions`,
  );
  const floor = await measureFloor({
    natsUrl: nats.url,
    servicesCreds,
    pool,
    messages: moved.messages,
    meanBytes: moved.meanBytes,
    transactions,
  });
  Object.assign(result, {
    devices,
    waves: WAVES.length,
    status: "completed",
    seconds: Number(seconds.toFixed(2)),
    events,
    events_per_s: Math.round(events / seconds),
    p50_device_ms: Math.round(latency[0]?.p50 ?? 0),
    p99_device_ms: Math.round(latency[0]?.p99 ?? 0),
    ...targetLag,
    ...objectReads,
    orchestrator_rss_mb: peak(orchestratorRss),
    gateway_rss_mb: peak(gatewayRss),
    load_generators: processes,
    load_generator_rss_mb: generatorsRss,
    cpu_seconds: cpu,
    agent_cpu_ms_per_device: Math.round(((cpu.load_generators ?? 0) * 1000) / devices),
    agent_resource_errors: resourceErrors,
    nats_messages: moved.messages,
    db_transactions: transactions.length,
    ...floor,
    commit_delay_ms: commitDelayMs,
    ...(maxInFlight === undefined ? {} : { max_in_flight: maxInFlight }),
    ...(shares ? { replica_count: replicas, replicas: shares } : {}),
    load_avg_1m_end: load(),
  });
} finally {
  await teardown.run();
}
if (baseline) {
  log(`baseline ${baseline.ref} (${baseline.commit.slice(0, 12)}) → this tree, same invocation:`);
  for (const line of sideBySide(baseline.result, result)) log(`  ${line}`);
  Object.assign(result, { baseline_ref: baseline.ref, baseline_commit: baseline.commit });
  result.baseline = baseline.result;
}
console.log(JSON.stringify(result));

/** When the rollout's `RolloutCompleted` was committed (ms since the epoch, this machine's clock). */
async function completedAt(pool: pg.Pool, rolloutId: string, from: string): Promise<number> {
  const { rows } = await pool.query<{ at: Date }>(
    `SELECT recorded_at AS at FROM events WHERE global_position > $1
       AND stream_id = $2 AND type = 'RolloutCompleted' LIMIT 1`,
    [from, rolloutStreamId(rolloutId)],
  );
  const at = rows[0]?.at;
  if (!at) throw new Error(`rollout ${rolloutId} reads completed, but no RolloutCompleted event`);
  return at.getTime();
}
