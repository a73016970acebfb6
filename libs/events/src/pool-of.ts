import type pg from "pg";
import type { DataSource } from "typeorm";
import type { PostgresDriver } from "typeorm/driver/postgres/PostgresDriver.js";

/**
 * The DataSource's own `pg.Pool` (the driver's master pool), for SQL kept by hand where TypeORM's
 * query path costs what a hot path cannot pay (see `bench:eventstore`). Same connections, same
 * timeouts: there is one pool per service.
 */
export function poolOf(dataSource: DataSource): pg.Pool {
  const pool = (dataSource.driver as PostgresDriver).master as pg.Pool | undefined;
  if (!pool) throw new Error("the DataSource is not initialized: it has no pool yet");
  return pool;
}
