import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from "@nestjs/common";
import pg from "pg";
import { PG_POOL } from "../tokens.js";

export interface DatabaseModuleOptions {
  url: string;
  /** Runs once the pool is connected, before any feature sees it (e.g. schema migrations). */
  prepare?: (pool: pg.Pool) => Promise<void>;
  maxConnections?: number;
  /**
   * `statement_timeout` of every pooled connection (default 30 s): a query that runs longer is
   * cancelled (SQLSTATE 57014, answered 503) and gives its connection back, so no request, however
   * costly its filter, holds the pool.
   */
  statementTimeoutMs?: number;
  /** `idle_in_transaction_session_timeout` (default 60 s): a transaction left open is ended. */
  idleInTransactionTimeoutMs?: number;
}

@Injectable()
class PoolCloser implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

async function openPool(options: DatabaseModuleOptions): Promise<pg.Pool> {
  const logger = new Logger("Database");
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 20,
    connectionTimeoutMillis: 5_000,
    application_name: "statecast",
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 60_000,
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on("error", (err) => logger.warn(`idle Postgres connection failed: ${err.message}`));
  try {
    const client = await pool.connect();
    client.release();
    await options.prepare?.(pool);
  } catch (err) {
    await pool.end();
    throw new Error(`cannot use the database: ${(err as Error).message}`, { cause: err });
  }
  return pool;
}

/** One `pg.Pool` for the whole service under `PG_POOL`, ended on shutdown. */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [{ provide: PG_POOL, useFactory: () => openPool(options) }, PoolCloser],
      exports: [PG_POOL],
    };
  }
}
