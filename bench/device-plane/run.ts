// `npm run bench:device-plane`: simulated devices, each on its own NATS connection as its own
// device user (the generated operator config and per-device credentials, as enrollment issues
// them), publish status reports that the real gateway process ingests into committed Postgres
// events; next to it the same publishes with nobody consuming (the floor), a backlog drained by a
// restarted gateway, and how many device connections stay held throughout. Progress on stderr;
// the last stdout line is one JSON object.
// Flags: --devices N reporting devices (default 2000), --reports N per device (default 10),
// --connections N devices connected in all (default 10000; the reporting ones among them),
// --window N reports a device keeps unacknowledged (default 1, as the agent), --open (no auth).
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  createRegistry,
  deviceCatalog,
  PostgresEventStore,
  revisionCatalog,
} from "@statecast/events";
import { freePort, startEmbeddedPostgres, startNatsServer } from "@statecast/infra";
import {
  createOperatorSetup,
  credsConnectionOptions,
  GATEWAY_FILES,
  issueServiceUser,
  renderServerConfig,
  writeGatewaySetup,
} from "@statecast/nats-auth";
import pg from "pg";
import {
  ensureStatusStream,
  STATUS_STREAM,
} from "../../apps/device-gateway/src/status/status-stream.js";
import { type Appender, appendLoad } from "../eventstore/workload.js";
import { benchTeardown } from "../teardown.js";
import {
  connectDevices,
  type DeviceConnection,
  issueDeviceCreds,
  stillConnected,
} from "./connections.js";
import { type GatewayProcess, startGatewayProcess } from "./gateway-process.js";
import { deviceIds, publishReports } from "./publish.js";
import { retarget, seedDevices, timeDrain, untilDrained } from "./seed.js";

const { values: flags } = parseArgs({
  options: {
    devices: { type: "string", default: "2000" },
    reports: { type: "string", default: "10" },
    connections: { type: "string", default: "10000" },
    window: { type: "string", default: "1" },
    open: { type: "boolean", default: false },
    "eventstore-seconds": { type: "string", default: "4" },
  },
});
const EVENTSTORE_SECONDS = Number(flags["eventstore-seconds"]);
if (!(EVENTSTORE_SECONDS > 0)) throw new Error("--eventstore-seconds must be positive");
const [devicesN, perDevice, connectionsN, window] = [
  flags.devices,
  flags.reports,
  flags.connections,
  flags.window,
].map(Number) as [number, number, number, number];
for (const [name, v] of Object.entries({ devicesN, perDevice, connectionsN, window }))
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer`);
const log = (line: string) => process.stderr.write(`[bench:device-plane] ${line}\n`);
const load = () => Number(loadavg()[0]?.toFixed(1));
const perSecond = (n: number, seconds: number) => Math.round(n / seconds);
const since = (t: number) => (performance.now() - t) / 1000;

const teardown = benchTeardown(log);
const dir = mkdtempSync(join(tmpdir(), "statecast-bench-dp-"));
teardown.removeAtEnd(dir);
chmodSync(dir, 0o755); // the embedded server runs as the postgres user when we are root
const result: Record<string, unknown> = {
  cpus: cpus().length,
  load_avg_1m_start: load(),
  devices: devicesN,
  reports: devicesN * perDevice,
  window,
  auth: flags.open ? "none" : "generated operator config, one device user per connection",
  postgres: "embedded, durable (fsync on)",
};
const postgres = await startEmbeddedPostgres({
  dataDir: join(dir, "pg"),
  onLog: (line) => {
    if (/FATAL|PANIC/.test(line)) log(`postgres: ${line.trim()}`);
  },
});
teardown.add(
  "Postgres",
  () => postgres.stop(),
  () => [postgres.pid],
);
try {
  const setup = flags.open ? undefined : await createOperatorSetup(join(dir, "operator"));
  const natsPort = await freePort();
  const natsStore = join(dir, "js");
  let configFile: string | undefined;
  if (setup) {
    configFile = join(dir, "nats.conf");
    writeFileSync(
      configFile,
      renderServerConfig({
        setup,
        port: natsPort,
        storeDir: natsStore,
        storeDirOnCommandLine: true,
      }),
    );
  }
  const nats = await startNatsServer({ storeDir: natsStore, port: natsPort, configFile });
  teardown.add(
    "nats-server",
    () => nats.stop(),
    () => [nats.process.pid],
  );
  const gatewayEnv: Record<string, string> = {
    NATS_URL: nats.url,
    STATECAST_DATA_DIR: join(dir, "data"),
  };
  let services: NatsConnection;
  if (setup) {
    const gateway = await writeGatewaySetup(setup, join(dir, "gateway-auth"), "bench-gateway");
    gatewayEnv.NATS_CREDS = join(gateway.dir, GATEWAY_FILES.servicesCreds);
    gatewayEnv.STATECAST_NATS_AUTH_DIR = gateway.dir;
    const mine = await issueServiceUser(setup, "bench-driver");
    services = await connect({ servers: nats.url, ...credsConnectionOptions(mine) });
  } else services = await connect({ servers: nats.url });
  teardown.add("the driver's connection", () => services.close());

  const everyone = deviceIds(Math.max(connectionsN, devicesN));
  let started = performance.now();
  let creds: Map<string, string> | undefined;
  if (setup) {
    log(`issuing ${everyone.length} device users`);
    creds = await issueDeviceCreds(setup, everyone);
    result.device_creds_issued_per_s = perSecond(everyone.length, since(started));
  }
  log(`connecting ${everyone.length} devices, each on its own connection`);
  started = performance.now();
  const connections: DeviceConnection[] = [];
  teardown.add("the device connections", () => Promise.all(connections.map((d) => d.nc.close())));
  connections.push(...(await connectDevices(nats.url, everyone, creds)));
  result.connect_seconds = Number(since(started).toFixed(1));
  const reporting = connections.slice(0, devicesN);

  const admin = new pg.Pool({ connectionString: postgres.url(), max: 1 });
  await admin.query("CREATE DATABASE bench");
  await admin.end();
  gatewayEnv.DATABASE_URL = postgres.url("bench");
  log(`seeding ${devicesN} enrolled devices targeted at fleet#2`);
  const pool = await seedDevices(gatewayEnv.DATABASE_URL, everyone.slice(0, devicesN));
  teardown.add("the pool", () => pool.end());
  const jsm = await jetstreamManager(services);
  await ensureStatusStream(jsm);
  const reportEvents = async () =>
    Number(
      (
        await pool.query<{ n: string }>(
          "SELECT count(*) AS n FROM events WHERE type IN ('UpdateProgressReported', 'UpdateSucceeded')",
        )
      ).rows[0]?.n,
    );
  const gatewayFigures = async (gateway: GatewayProcess) => {
    const dropped = await gateway.metric("statecast_gateway_reports_dropped_total");
    return Object.fromEntries(
      Object.entries(dropped).map(([labels, n]) => [
        /reason="([^"]*)"/.exec(labels)?.[1] ?? labels,
        n,
      ]),
    );
  };

  // 1. The floor: the same publishes into the same stream, nobody consuming.
  log("raw floor: devices publish their reports, nobody consuming");
  started = performance.now();
  const raw = await publishReports(reporting, perDevice, { bootId: "bench-raw", window });
  result.raw_nats_publish_per_s = perSecond(raw, since(started));
  result.load_avg_1m_raw = load();
  await jsm.streams.purge(STATUS_STREAM);

  // 2. Live: the gateway consumes while the devices publish.
  let gateway = await startGatewayProcess(gatewayEnv);
  teardown.add(
    "the gateway",
    () => gateway.stop(),
    () => [gateway.child.pid],
  );
  log("ingest: devices publish, the gateway ingests");
  let cpu = gateway.cpuSeconds();
  started = performance.now();
  const sent = await publishReports(reporting, perDevice, { bootId: "bench-boot", window });
  await untilDrained(jsm);
  const seconds = since(started);
  result.reports_per_s = perSecond(sent, seconds);
  result.load_avg_1m_ingest = load();
  result.gateway_cpu_ms_per_1k_reports = Math.round(((gateway.cpuSeconds() - cpu) * 1e6) / sent);
  result.events_committed = await reportEvents();
  result.every_report_one_event = result.events_committed === sent;
  result.reports_dropped = await gatewayFigures(gateway);
  const rss = gateway.rssMb();
  result.gateway_rss_mb = rss.now;
  result.gateway_peak_rss_mb = rss.peak;
  await gateway.stop();

  // 3. Backlog: the next wave's reports published while no gateway runs, then drained.
  log("backlog: devices retargeted to fleet#3 report while the gateway is down");
  await retarget(pool, everyone.slice(0, devicesN), 3, 2);
  const backlog = await publishReports(reporting, perDevice, {
    bootId: "bench-boot-2",
    revision: "fleet#3",
    window,
  });
  gateway = await startGatewayProcess(gatewayEnv);
  cpu = gateway.cpuSeconds();
  const drained = await timeDrain(jsm, backlog);
  result.backlog_reports_per_s = perSecond(backlog, drained);
  result.load_avg_1m_backlog = load();
  result.backlog_gateway_cpu_ms_per_1k_reports = Math.round(
    ((gateway.cpuSeconds() - cpu) * 1e6) / backlog,
  );
  result.backlog_every_report_one_event = (await reportEvents()) === sent + backlog;
  result.backlog_reports_dropped = await gatewayFigures(gateway);
  await gateway.stop();

  // 5. The event store's batch rate on the same Postgres, now: what ingestion could reach if
  // every report were one event appended in batches (bench:eventstore's batch workload).
  log(`event store: ${EVENTSTORE_SECONDS} s of 100-event batch appends, 8 workers`);
  const esPool = new pg.Pool({ connectionString: gatewayEnv.DATABASE_URL, max: 12 });
  teardown.add("the event store's pool", () => esPool.end());
  const store = new PostgresEventStore(esPool, createRegistry(deviceCatalog, revisionCatalog));
  const ours: Appender = async (stream, events, version) =>
    (await store.append(stream, events, { expectedVersion: version === 0 ? "no_stream" : version }))
      .nextExpectedVersion;
  await appendLoad("es-warm", ours, { concurrency: 8, batch: 100, seconds: 0.5 });
  const es = await appendLoad("es", ours, {
    concurrency: 8,
    batch: 100,
    seconds: EVENTSTORE_SECONDS,
  });
  result.eventstore_batch_eps = es.eps;
  result.load_avg_1m_eventstore = load();
  result.backlog_of_eventstore_batch = Number(
    ((result.backlog_reports_per_s as number) / es.eps).toFixed(2),
  );
  await store.close();

  result.connections = await stillConnected(connections);
  result.load_avg_1m_end = load();
} catch (error) {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  await teardown.run();
}
console.log(JSON.stringify(result));
