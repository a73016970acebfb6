import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  createRegistry,
  DeviceEvents,
  deviceCatalog,
  deviceStreamId,
  eventStoreMigrations,
  migrate,
  type NewEvent,
  PostgresEventStore,
  revisionCatalog,
} from "@statecast/events";
import { freePort } from "@statecast/infra";
import { bootstrapApp, NATS_CONNECTION, type RunningService } from "@statecast/platform";
import {
  createTestDatabase,
  startTestNats,
  type TestDatabase,
  type TestNats,
} from "@statecast/testing";
import pg from "pg";
import { AppModule } from "../app.module.js";
import { loadGatewayConfig } from "../config/gateway.config.js";
import { DropCounter } from "../status/drop-counter.js";
import {
  ensureStatusStream,
  STATUS_CONSUMER,
  STATUS_STREAM,
  type StatusStreamOptions,
} from "../status/status-stream.js";
import { relayEvents } from "./event-feed.test-helper.js";

export async function startGateway(
  databaseUrl: string,
  natsUrl: string,
  dataDir = mkdtempSync(join(tmpdir(), "statecast-gateway-")),
  env: Record<string, string> = {},
  /** `relay: false` for a test that owns SC_EVENTS itself (no events reach the gateway then). */
  options: { relay?: boolean } = {},
): Promise<RunningService> {
  const config = loadGatewayConfig({
    DATABASE_URL: databaseUrl,
    STATECAST_DATA_DIR: dataDir,
    NATS_URL: natsUrl,
    STATECAST_HTTP_PORT: String(await freePort()),
    STATECAST_LOG_LEVEL: "error",
    ...env,
  });
  const gateway = await bootstrapApp(AppModule.register(config), {
    name: "device-gateway",
    config,
  });
  if (options.relay === false) return gateway;
  // What the orchestrator runs and the gateway consumes: the relay from the store to SC_EVENTS.
  const store = await openStore(databaseUrl);
  const nc = await connect({ servers: natsUrl });
  const relay = await relayEvents(store, nc);
  return {
    ...gateway,
    app: gateway.app,
    async close() {
      await relay.stop();
      await gateway.close();
      await nc.close();
      await store.pool.end();
    },
  };
}

/** Stops a gateway the hard way: its NATS connection is closed with reports still unacked. */
export async function crashGateway(gateway: RunningService): Promise<void> {
  await gateway.app.get<NatsConnection>(NATS_CONNECTION).close();
  await gateway.close();
}

export const drops = (gateway: RunningService) => gateway.app.get(DropCounter);

/** A store on a pool of the test's own, which the test queries and ends. */
export type TestStore = PostgresEventStore & { readonly pool: pg.Pool };

export async function openStore(url: string): Promise<TestStore> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  await migrate(url, eventStoreMigrations);
  const store = new PostgresEventStore(pool, createRegistry(deviceCatalog, revisionCatalog));
  return Object.assign(store, { pool });
}

const meta = {
  correlationId: "test",
  causationId: "test",
  actor: "operator:test",
  now: new Date().toISOString(),
} as const;
const digest = "a".repeat(64);

/** An enrolled device with a target on `fleet#<revision>`. */
export async function aTargetedDevice(
  store: PostgresEventStore,
  deviceId: string,
  revision = 2,
  stateDigest = digest,
): Promise<void> {
  const publicKey = `U${"A".repeat(55)}`;
  const events: NewEvent[] = [
    {
      type: DeviceEvents.DeviceEnrolled.type,
      data: { deviceId, publicKey, fleet: "fleet", tags: {}, enrolledWith: "token" },
      metadata: meta,
    },
    {
      type: DeviceEvents.TargetAssigned.type,
      data: { revision: { fleet: "fleet", number: revision }, digest: stateDigest, seq: 1 },
      metadata: meta,
    },
  ];
  await store.append(deviceStreamId(deviceId), events, { expectedVersion: "no_stream" });
}

export async function deviceEventTypes(
  store: PostgresEventStore,
  deviceId: string,
): Promise<string[]> {
  const { events } = await store.readStream(deviceStreamId(deviceId));
  return events.slice(2).map((e) => e.type);
}

export function aReport(deviceId: string, seq: number, overrides: Record<string, unknown> = {}) {
  return {
    deviceId,
    bootId: "boot-1",
    seq,
    revision: "fleet#2",
    status: "DOWNLOADING",
    progress: 25,
    message: `report ${seq}`,
    runtime: "sim",
    at: new Date().toISOString(),
    ...overrides,
  };
}

/** Publishes as the agent does: JetStream, msgID `<deviceId>:<bootId>:<seq>`. */
export async function publishReport(
  nc: NatsConnection,
  report: ReturnType<typeof aReport>,
  msgID?: string,
): Promise<void> {
  await jetstream(nc).publish(`sc.dev.${report.deviceId}.status`, JSON.stringify(report), {
    msgID: msgID ?? `${report.deviceId}:${report.bootId}:${report.seq}`,
  });
}

/** Resolves once every status message was delivered and acked. */
export async function untilIngested(nc: NatsConnection, timeoutMs = 20_000): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await jsm.consumers.info(STATUS_STREAM, STATUS_CONSUMER);
    if (info.num_pending === 0 && info.num_ack_pending === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `status consumer still has ${info.num_pending} pending, ${info.num_ack_pending} unacked`,
      );
    await sleep(50);
  }
}

export const connectClient = (url: string) => connect({ servers: url });

/** What `useGateway` provides to a describe block; filled in its `beforeAll`. */
export interface GatewayHarness {
  db: TestDatabase;
  nats: TestNats;
  store: TestStore;
  /** A plain client on the device side of the server. */
  device: NatsConnection;
  gateway: RunningService;
}

/**
 * One running gateway on a private Postgres database and nats-server for the enclosing
 * describe block, with an event store and a device-side client; all torn down after it.
 */
export function useGateway(env: Record<string, string> = {}): GatewayHarness {
  const h = {} as GatewayHarness;
  beforeAll(async () => {
    await openBase(h);
    h.gateway = await startGateway(h.db.url, h.nats.url, undefined, env);
  });
  afterAll(async () => {
    await h.gateway?.close();
    await closeBase(h);
  });
  return h;
}

/** The database, nats-server, event store and device client both harnesses start. */
async function openBase(h: StatusStreamHarness): Promise<void> {
  h.db = await createTestDatabase();
  h.nats = await startTestNats();
  h.store = await openStore(h.db.url);
  h.device = await connectClient(h.nats.url);
}

async function closeBase(h: Partial<StatusStreamHarness>): Promise<void> {
  await h.device?.close();
  await h.store?.pool.end();
  await h.nats?.dispose();
  await h.db?.drop();
}

/** What `useStatusStream` provides to a describe block; filled in its `beforeAll`. */
export type StatusStreamHarness = Omit<GatewayHarness, "gateway">;

/**
 * The status stream on a private Postgres database and nats-server for the enclosing describe
 * block, with an event store and a device-side client, for tests that run a `StatusIngestor`
 * themselves (no gateway); all torn down after it.
 */
export function useStatusStream(options: StatusStreamOptions = {}): StatusStreamHarness {
  const h = {} as StatusStreamHarness;
  beforeAll(async () => {
    await openBase(h);
    await ensureStatusStream(await jetstreamManager(h.device), options);
  });
  afterAll(() => closeBase(h));
  return h;
}
