import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PostgresEventStore } from "@statecast/events";
import { freePort } from "@statecast/infra";
import { bootstrapApp } from "@statecast/platform";
import {
  createTestDatabase,
  startTestNats,
  type TestDatabase,
  type TestNats,
} from "@statecast/testing";
import pg from "pg";
import { AppModule } from "../app.module.js";
import { loadOrchestratorConfig } from "../config/orchestrator.config.js";
import { orchestratorRegistry } from "../projections/projections.module.js";
import { configureOperatorApi } from "./openapi.js";

export const ADMIN_SECRET = "test-admin-token-0123456789abcdef";

export interface TestApp {
  url: string;
  /** The private nats-server the app is connected to. */
  natsUrl: string;
  dataDir: string;
  db: TestDatabase;
  /** Direct access for arranging device-side history and asserting on what was written. */
  pool: pg.Pool;
  store: PostgresEventStore;
  /** fetch against the app with a bearer token (the bootstrap admin's by default). */
  call(
    path: string,
    init?: RequestInit & { token?: string | null; json?: unknown },
  ): Promise<Response>;
  eventCount(): Promise<number>;
  close(): Promise<void>;
}

/** The orchestrator as `main` wires it (filter, OpenAPI, pipes), on port 0, fresh DB and data dir. */
export async function startTestApp(
  options: {
    maxObjectBytes?: number;
    env?: Record<string, string>;
    /** Runs on the fresh database before the app starts (e.g. a previous release's schema). */
    prepare?: (databaseUrl: string) => Promise<void>;
    /** Fills the data directory before the app starts (e.g. a previous release's files). */
    prepareDataDir?: (dataDir: string) => void;
    /** A second replica: the same database and nats-server as this app (which keeps owning them). */
    replicaOf?: TestApp;
  } = {},
): Promise<TestApp> {
  const shared = options.replicaOf;
  const db = shared?.db ?? (await createTestDatabase());
  if (!shared) await options.prepare?.(db.url);
  const nats: TestNats | undefined = shared ? undefined : await startTestNats();
  const natsUrl = shared?.natsUrl ?? (nats as TestNats).url;
  const dataDir = mkdtempSync(join(tmpdir(), "statecast-orch-"));
  options.prepareDataDir?.(dataDir);
  const config = loadOrchestratorConfig({
    DATABASE_URL: db.url,
    NATS_URL: natsUrl,
    STATECAST_DATA_DIR: dataDir,
    STATECAST_ADMIN_TOKEN: ADMIN_SECRET,
    STATECAST_LOG_LEVEL: "error",
    STATECAST_HTTP_PORT: String(await freePort()),
    STATECAST_MAX_OBJECT_BYTES: options.maxObjectBytes?.toString(),
    ...options.env,
  });
  // The same path as main: bootstrapApp with the error filter, then OpenAPI via `configure`.
  const service = await bootstrapApp(AppModule.register(config), {
    name: "orchestrator",
    config,
    configure: configureOperatorApi,
  });
  const url = service.url;
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  const store = new PostgresEventStore(pool, orchestratorRegistry());
  return {
    url,
    natsUrl,
    dataDir,
    db,
    pool,
    store,
    call(path, init = {}) {
      const { token = ADMIN_SECRET, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token !== null) headers.set("authorization", `Bearer ${token}`);
      if (json !== undefined) headers.set("content-type", "application/json");
      return fetch(`${url}${path}`, {
        ...rest,
        headers,
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
      });
    },
    async eventCount() {
      const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM events");
      return Number(rows[0]?.n);
    },
    async close() {
      await service.close();
      await store.close();
      await pool.end();
      if (shared) return rmSync(dataDir, { recursive: true, force: true });
      await nats?.dispose();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
