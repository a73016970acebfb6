import { createTestDatabase, type TestDatabase } from "@statecast/testing";
import pg from "pg";
import { MIGRATIONS_TABLE, migrate, migrationName } from "./migrate.js";
import { eventStoreMigrations } from "./schema.js";

const theirs = [
  {
    id: "audit-0001-view",
    timestamp: 1796500000900,
    sql: "CREATE VIEW recent_events AS SELECT * FROM events",
  },
];

describe("migrate", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  beforeEach(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 6 });
  });
  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  it("applies each migration once, in timestamp order, even with several migrators racing", async () => {
    const all = [...eventStoreMigrations, ...theirs];
    const runs = await Promise.all([
      migrate(db.url, all),
      migrate(db.url, all),
      migrate(db.url, all),
    ]);
    expect(runs.flat()).toEqual(all.map(migrationName));
    expect(await migrate(db.url, all)).toEqual([]);
    const { rows } = await pool.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`);
    expect(rows.map((r) => r.name)).toEqual(all.map(migrationName));
    const fk = await pool.query(
      "SELECT 1 FROM pg_constraint WHERE conname = 'events_stream_id_fkey'",
    );
    expect(fk.rowCount).toBe(0);
  });

  it("rolls a failing set back entirely and names the migration", async () => {
    const broken = [
      ...eventStoreMigrations,
      { id: "x-0001-broken", timestamp: 1796500000999, sql: "CREATE TABLE oops (" },
    ];
    await expect(migrate(db.url, broken)).rejects.toThrow(/migration x-0001-broken failed/);
    const { rows } = await pool.query(
      `SELECT to_regclass('events') AS t, to_regclass('${MIGRATIONS_TABLE}') AS m`,
    );
    expect(rows[0]).toEqual({ t: null, m: null });
  });

  it("refuses a list naming one id twice, or a timestamp TypeORM cannot order by", async () => {
    const twice = [eventStoreMigrations[0], eventStoreMigrations[0]].filter((m) => m !== undefined);
    await expect(migrate(db.url, twice)).rejects.toThrow(/listed twice/);
    const short = [{ id: "x-0002-short", timestamp: 42, sql: "SELECT 1" }];
    await expect(migrate(db.url, short)).rejects.toThrow(/not 13 digits/);
  });
});

describe("migrate on a database the release before TypeORM migrated", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  beforeEach(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  /** What the hand-written runner did: every migration's SQL, then its id in schema_migrations. */
  async function migrateAsPreviousRelease(ids: readonly string[]): Promise<void> {
    await pool.query(
      `CREATE TABLE schema_migrations (
         id text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    for (const migration of eventStoreMigrations.filter((m) => ids.includes(m.id))) {
      await pool.query(migration.sql);
      await pool.query("INSERT INTO schema_migrations (id) VALUES ($1)", [migration.id]);
    }
  }

  it("records what schema_migrations lists as applied and runs only what is new", async () => {
    const previous = eventStoreMigrations.slice(0, 4).map((m) => m.id);
    await migrateAsPreviousRelease(previous);
    await pool.query(
      `INSERT INTO streams (stream_id, stream_type, version, last_transaction_id)
       VALUES ('device:a', 'device', 0, pg_current_xact_id())`,
    );

    // Re-running events-0001 would fail (CREATE TABLE streams exists): only 0005 and theirs run.
    const applied = await migrate(db.url, [...eventStoreMigrations, ...theirs]);
    expect(applied).toEqual([...eventStoreMigrations.slice(4), ...theirs].map(migrationName));

    const { rows } = await pool.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY "timestamp"`);
    expect(rows.map((r) => r.name)).toEqual(
      [...eventStoreMigrations, ...theirs].map(migrationName),
    );
    const fleet = await pool.query("SELECT fleet FROM streams WHERE stream_id = 'device:a'");
    expect(fleet.rows).toEqual([{ fleet: null }]);
    expect(await migrate(db.url, [...eventStoreMigrations, ...theirs])).toEqual([]);
  });

  it("runs nothing on a database the previous release fully migrated", async () => {
    await migrateAsPreviousRelease(eventStoreMigrations.map((m) => m.id));
    expect(await migrate(db.url, eventStoreMigrations)).toEqual([]);
    // The old table stays, as the release before reads it if an operator rolls back.
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM schema_migrations");
    expect(rows[0]).toEqual({ n: eventStoreMigrations.length });
  });
});
