// `npm run bench:device-plane`: device status reports published by simulated devices and
// ingested by the real gateway process into committed Postgres events, next to the raw JetStream
// publish rate of the same payloads with nobody consuming; then how many device connections one
// nats-server holds. Progress on stderr; the last stdout line is one JSON object.
// Flags: --devices N (default 2000), --reports N per device (default 10), --connections N
// (default 10000), --publishers N (default 8).
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startEmbeddedPostgres, startNatsServer } from "@statecast/infra";
import pg from "pg";
import { ensureStatusStream } from "../../apps/device-gateway/src/status/status-stream.js";
import { holdConnections } from "./connections.js";
import { startGatewayProcess } from "./gateway-process.js";
import { deviceIds, publishAll } from "./publish.js";
import { seedDevices, untilDrained } from "./seed.js";

const { values: flags } = parseArgs({
  options: {
    devices: { type: "string", default: "2000" },
    reports: { type: "string", default: "10" },
    connections: { type: "string", default: "10000" },
    publishers: { type: "string", default: "8" },
  },
});
const [devicesN, perDevice, connectionsN, publishersN] = [
  flags.devices,
  flags.reports,
  flags.connections,
  flags.publishers,
].map(Number) as [number, number, number, number];
for (const [name, v] of Object.entries({ devicesN, perDevice, connectionsN, publishersN }))
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer`);
const log = (line: string) => process.stderr.write(`[bench:device-plane] ${line}\n`);

const dir = mkdtempSync(join(tmpdir(), "statecast-bench-dp-"));
chmodSync(dir, 0o755); // the embedded server runs as the postgres user when we are root
const result: Record<string, unknown> = {
  cpus: cpus().length,
  load_avg_1m_start: Number(loadavg()[0]?.toFixed(1)),
  devices: devicesN,
  reports: devicesN * perDevice,
  postgres: "embedded, durable (fsync on)",
};
const postgres = await startEmbeddedPostgres({ dataDir: join(dir, "pg") });
const nats = await startNatsServer({ storeDir: join(dir, "js") });
const publishers: NatsConnection[] = [];
try {
  const admin = new pg.Pool({ connectionString: postgres.url(), max: 1 });
  await admin.query("CREATE DATABASE bench");
  await admin.end();
  const dbUrl = postgres.url("bench");
  const devices = deviceIds(devicesN);
  log(`seeding ${devicesN} enrolled, targeted devices`);
  const pool = await seedDevices(dbUrl, devices);

  for (let i = 0; i < publishersN; i++) publishers.push(await connect({ servers: nats.url }));
  const jsm = await jetstreamManager(publishers[0]!);
  await jsm.streams.add({
    name: "SC_BENCH_RAW",
    subjects: ["bench.dev.*.status"],
    duplicate_window: 600e9,
  });
  log("raw floor: publishing the same reports to a stream nobody consumes");
  let started = performance.now();
  const raw = await publishAll(publishers, devices, perDevice, (id) => `bench.dev.${id}.status`);
  result.raw_nats_publish_per_s = Math.round(raw / ((performance.now() - started) / 1000));

  await ensureStatusStream(jsm);
  const gateway = await startGatewayProcess({
    DATABASE_URL: dbUrl,
    NATS_URL: nats.url,
    STATECAST_DATA_DIR: join(dir, "data"),
  });
  log("ingest: publishing reports with the gateway consuming");
  started = performance.now();
  const sent = await publishAll(publishers, devices, perDevice, (id) => `sc.dev.${id}.status`);
  await untilDrained(jsm);
  const seconds = (performance.now() - started) / 1000;
  const committed = await pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM events WHERE type IN ('UpdateProgressReported', 'UpdateSucceeded')",
  );
  result.reports_per_s = Math.round(sent / seconds);
  result.events_committed = Number(committed.rows[0]?.n);
  result.every_report_one_event = result.events_committed === sent;
  const rss = gateway.rssMb();
  result.gateway_rss_mb = rss.now;
  result.gateway_peak_rss_mb = rss.peak;
  await gateway.stop();
  await pool.end();

  log(`holding ${connectionsN} device connections`);
  const held = await holdConnections(nats.url, connectionsN);
  result.connections = held.connected;
  result.connect_seconds = held.seconds;
  if (held.error) result.connection_error = held.error;
  result.load_avg_1m_end = Number(loadavg()[0]?.toFixed(1));
} finally {
  for (const nc of publishers) await nc.close().catch(() => undefined);
  await nats.stop();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
