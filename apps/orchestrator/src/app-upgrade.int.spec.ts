import { MIGRATIONS_TABLE, migrationName } from "@statecast/events";
import { freePort } from "@statecast/infra";
import { bootstrapApp, type RunningService } from "@statecast/platform";
import {
  createTestDatabase,
  startTestNats,
  type TestDatabase,
  type TestNats,
} from "@statecast/testing";
import pg from "pg";
import { AppModule, orchestratorSchema } from "./app.module.js";
import { loadOrchestratorConfig } from "./config/orchestrator.config.js";

/** The hand-written runner of the release before TypeORM, as it ran: one transaction, its table. */
async function migrateAsPreviousRelease(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         id text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    for (const migration of orchestratorSchema) {
      await client.query(migration.sql);
      await client.query("INSERT INTO schema_migrations (id) VALUES ($1)", [migration.id]);
    }
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
}

describe("the orchestrator started on a database the release before TypeORM migrated", () => {
  let db: TestDatabase;
  let nats: TestNats;
  let service: RunningService | undefined;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await startTestNats();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    await migrateAsPreviousRelease(db.url);
    // A device the previous release registered: still there after the upgrade.
    await pool.query(
      `INSERT INTO streams (stream_id, stream_type, version, last_transaction_id)
       VALUES ('device:kept', 'device', 0, pg_current_xact_id())`,
    );
    const config = loadOrchestratorConfig({
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      STATECAST_HTTP_PORT: String(await freePort()),
      STATECAST_ADMIN_TOKEN: "test-admin-token-0123456789",
      STATECAST_LOG_LEVEL: "warn",
    });
    // Running any migration again would fail here (CREATE TABLE streams, … exist).
    service = await bootstrapApp(AppModule.register(config), { name: "orchestrator", config });
  });

  afterAll(async () => {
    await service?.close();
    await pool?.end();
    await nats?.dispose();
    await db?.drop();
  });

  it("recognises every migration as applied, runs none and serves", async () => {
    const ready = await fetch(`${service?.url}/health/ready`);
    expect(ready.status).toBe(200);
    const { rows } = await pool.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY "timestamp"`);
    expect(rows.map((r) => r.name)).toEqual(orchestratorSchema.map(migrationName));
    const kept = await pool.query("SELECT version FROM streams WHERE stream_id = 'device:kept'");
    expect(kept.rows).toEqual([{ version: 0 }]);
    const old = await pool.query("SELECT count(*)::int AS n FROM schema_migrations");
    expect(old.rows[0]).toEqual({ n: orchestratorSchema.length });
  });
});
