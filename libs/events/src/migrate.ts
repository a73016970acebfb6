import type pg from "pg";

/** One schema change, recorded by `id` once applied; never edit an applied one, add another. */
export interface Migration {
  id: string;
  sql: string;
}

// Any constant works as long as every Statecast process agrees on it: it serialises migrators.
const MIGRATION_LOCK = 0x5c_0001;

/**
 * Applies the migrations not yet recorded in `schema_migrations`, in list order, in one transaction
 * under an advisory lock, so concurrent starters (several replicas) neither race nor half-apply.
 * Packages compose their own: `migrate(pool, [...eventStoreMigrations, ...mine])`.
 * Returns the ids applied by this call.
 */
export async function migrate(pool: pg.Pool, migrations: readonly Migration[]): Promise<string[]> {
  assertUniqueIds(migrations);
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    // A migration may rewrite a large table: the pool's statement and idle timeouts bound
    // requests, not schema changes.
    await client.query("SET LOCAL statement_timeout = 0");
    await client.query("SET LOCAL idle_in_transaction_session_timeout = 0");
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         id text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ id: string }>("SELECT id FROM schema_migrations");
    const done = new Set(rows.map((r) => r.id));
    // Applied in the order given: a package's migrations may depend on those listed before it.
    const pending = migrations.filter((m) => !done.has(m.id));
    for (const migration of pending) {
      try {
        await client.query(migration.sql);
      } catch (error) {
        throw new Error(`migration ${migration.id} failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      await client.query("INSERT INTO schema_migrations (id) VALUES ($1)", [migration.id]);
    }
    await client.query("COMMIT");
    return pending.map((m) => m.id);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

function assertUniqueIds(migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const { id } of migrations) {
    if (seen.has(id)) throw new Error(`migration id ${id} is listed twice`);
    seen.add(id);
  }
}
