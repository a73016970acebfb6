import { createTestDatabase, type TestDatabase } from "@statecast/testing";
import pg from "pg";
import { migrate } from "./migrate.js";
import { eventStoreMigrations } from "./schema.js";

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

  it("applies each migration once, even with several migrators racing", async () => {
    const theirs = [
      { id: "audit-0001-view", sql: "CREATE VIEW recent_events AS SELECT * FROM events" },
    ];
    const all = [...eventStoreMigrations, ...theirs];
    const runs = await Promise.all([migrate(pool, all), migrate(pool, all), migrate(pool, all)]);
    expect(runs.flat().sort()).toEqual(all.map((m) => m.id).sort());
    expect(await migrate(pool, all)).toEqual([]);
    const { rows } = await pool.query("SELECT id FROM schema_migrations ORDER BY applied_at, id");
    expect(rows.map((r) => r.id).sort()).toEqual(all.map((m) => m.id).sort());
    const fk = await pool.query(
      "SELECT 1 FROM pg_constraint WHERE conname = 'events_stream_id_fkey'",
    );
    expect(fk.rowCount).toBe(0);
  });

  it("rolls a failing set back entirely and names the migration", async () => {
    const broken = [...eventStoreMigrations, { id: "x-0001-broken", sql: "CREATE TABLE oops (" }];
    await expect(migrate(pool, broken)).rejects.toThrow(/migration x-0001-broken failed/);
    const { rows } = await pool.query(
      "SELECT to_regclass('events') AS t, to_regclass('schema_migrations') AS m",
    );
    expect(rows[0]).toEqual({ t: null, m: null });
  });

  it("refuses a list naming one id twice", async () => {
    const twice = [eventStoreMigrations[0], eventStoreMigrations[0]].filter((m) => m !== undefined);
    await expect(migrate(pool, twice)).rejects.toThrow(/listed twice/);
  });
});
