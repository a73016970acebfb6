import { MIGRATIONS_TABLE, migrationName } from "@statecast/events";
import pg from "pg";
import { orchestratorSchema } from "./app.module.js";
import { startTestApp, type TestApp } from "./openapi/test-app.test-helper.js";

/**
 * The hand-written runner of the release before TypeORM, as it ran (one transaction, its table),
 * and a device that release registered.
 */
async function previousReleaseDatabase(url: string): Promise<void> {
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
    await client.query(
      `INSERT INTO streams (stream_id, stream_type, version, last_transaction_id)
       VALUES ('device:kept', 'device', 0, pg_current_xact_id())`,
    );
  } finally {
    await client.end();
  }
}

describe("the orchestrator started on a database the release before TypeORM migrated", () => {
  let app: TestApp;

  beforeAll(async () => {
    // Running any migration again would fail at start (CREATE TABLE streams, … exist).
    app = await startTestApp({ prepare: previousReleaseDatabase });
  });

  afterAll(async () => {
    await app?.close();
  });

  it("recognises every migration as applied, runs none and serves", async () => {
    const ready = await fetch(`${app.url}/health/ready`);
    expect(ready.status).toBe(200);
    const { pool } = app;
    const { rows } = await pool.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY "timestamp"`);
    expect(rows.map((r) => r.name)).toEqual(orchestratorSchema.map(migrationName));
    const kept = await pool.query("SELECT version FROM streams WHERE stream_id = 'device:kept'");
    expect(kept.rows).toEqual([{ version: 0 }]);
    const old = await pool.query("SELECT count(*)::int AS n FROM schema_migrations");
    expect(old.rows[0]).toEqual({ n: orchestratorSchema.length });
  });
});
