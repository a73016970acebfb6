import pg from "pg";
import { DataSource, MigrationExecutor, type MigrationInterface, type QueryRunner } from "typeorm";
import type { PostgresDataSourceOptions } from "typeorm/driver/postgres/PostgresDataSourceOptions.js";

/** One schema change, recorded once applied; never edit an applied one, add another. */
export interface Migration {
  /** Its name in `schema_migrations` for releases before TypeORM, and the start of TypeORM's. */
  id: string;
  /**
   * Where it runs among all of a service's migrations (TypeORM orders them by it): the time it
   * was written, in ms. Those of the release before TypeORM count up in their old list order.
   */
  timestamp: number;
  sql: string;
}

/** TypeORM's record of applied migrations (`schema_migrations` was the hand-written runner's). */
export const MIGRATIONS_TABLE = "typeorm_migrations";

// Any constant works as long as every Statecast process agrees on it: it serialises migrators
// (the release before TypeORM took the same lock).
const MIGRATION_LOCK = 0x5c_0001;

/** TypeORM's name for a migration: its id, then the 13-digit timestamp TypeORM orders by. */
export function migrationName(migration: Migration): string {
  return `${migration.id}-${migration.timestamp}`;
}

type MigrationClass = new () => MigrationInterface;

/** The list as TypeORM migration classes, for a DataSource's `migrations` option. */
export function typeormMigrations(migrations: readonly Migration[]): MigrationClass[] {
  assertWellFormed(migrations);
  return migrations.map(
    (migration) =>
      class implements MigrationInterface {
        readonly name = migrationName(migration);

        async up(runner: QueryRunner): Promise<void> {
          try {
            await runner.query(migration.sql);
          } catch (error) {
            throw new Error(`migration ${migration.id} failed: ${(error as Error).message}`, {
              cause: error,
            });
          }
        }

        async down(): Promise<void> {
          throw new Error(`migration ${migration.id} is forward-only: add another to undo it`);
        }
      },
  );
}

/**
 * Applies the DataSource's pending migrations in one transaction under an advisory lock, so
 * concurrent starters (several replicas) neither race nor half-apply. A database migrated by the
 * hand-written runner of the release before is recognised first: what its `schema_migrations`
 * lists is recorded as applied, not run again. Returns the names applied by this call.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    await runner.startTransaction();
    // A migration may rewrite a large table: the pool's statement and idle timeouts bound
    // requests, not schema changes.
    await runner.query("SET LOCAL statement_timeout = 0");
    await runner.query("SET LOCAL idle_in_transaction_session_timeout = 0");
    await runner.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await adoptPreviousRelease(runner, dataSource.migrations);
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = "all";
    const applied = await executor.executePendingMigrations();
    await runner.commitTransaction();
    return applied.map((m) => m.name);
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => {});
    throw error;
  } finally {
    await runner.release();
  }
}

/** Brings the database at `url` up to `migrations` through a short-lived one-connection DataSource. */
export async function migrate(url: string, migrations: readonly Migration[]): Promise<string[]> {
  const dataSource = new DataSource(migrationDataSourceOptions(url, migrations));
  await dataSource.initialize();
  try {
    return await runMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

/** What a DataSource that runs `migrations` needs beyond its pool settings. */
export function migrationDataSourceOptions(
  url: string,
  migrations: readonly Migration[],
): PostgresDataSourceOptions {
  return {
    type: "postgres",
    driver: pg,
    url,
    poolSize: 1,
    migrations: typeormMigrations(migrations),
    migrationsTableName: MIGRATIONS_TABLE,
  };
}

async function adoptPreviousRelease(
  runner: QueryRunner,
  migrations: readonly MigrationInterface[],
): Promise<void> {
  const [legacy] = await runner.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS yes");
  if (!legacy?.yes) return;
  // TypeORM's own shape for the table, so its executor finds it made.
  await runner.query(
    `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
       id serial PRIMARY KEY, "timestamp" bigint NOT NULL, name character varying NOT NULL)`,
  );
  const names = migrations.map((m) => m.name).filter((n) => n !== undefined);
  // The old id is the TypeORM name less its "-<timestamp>".
  await runner.query(
    `INSERT INTO ${MIGRATIONS_TABLE} ("timestamp", name)
     SELECT right(n, 13)::bigint, n FROM unnest($1::text[]) AS n
     WHERE left(n, -14) IN (SELECT id FROM schema_migrations)
       AND n NOT IN (SELECT name FROM ${MIGRATIONS_TABLE})`,
    [names],
  );
}

function assertWellFormed(migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const { id, timestamp } of migrations) {
    if (seen.has(id)) throw new Error(`migration id ${id} is listed twice`);
    if (!Number.isInteger(timestamp) || String(timestamp).length !== 13) {
      throw new Error(`migration ${id}: timestamp ${timestamp} is not 13 digits of ms`);
    }
    seen.add(id);
  }
}
