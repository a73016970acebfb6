import { type DynamicModule, Logger, Module } from "@nestjs/common";
import { TypeOrmModule, type TypeOrmModuleOptions } from "@nestjs/typeorm";
import { type Migration, migrationDataSourceOptions, runMigrations } from "@statecast/events";
import { DataSource, type DataSourceOptions } from "typeorm";
import { TypeormLogger } from "./typeorm-logger.js";

export interface DatabaseModuleOptions {
  url: string;
  /** Every schema change the service owns, in order; applied before any feature sees the database. */
  migrations?: readonly Migration[];
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

function dataSourceOptions(options: DatabaseModuleOptions): TypeOrmModuleOptions {
  const logger = new Logger("Database");
  return {
    ...migrationDataSourceOptions(options.url, options.migrations ?? []),
    poolSize: options.maxConnections ?? 20,
    connectTimeoutMS: 5_000,
    applicationName: "statecast",
    extra: {
      statement_timeout: options.statementTimeoutMs ?? 30_000,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 60_000,
    },
    // An idle client losing its server must not crash the process; the next query reconnects.
    poolErrorHandler: (err: Error) =>
      logger.warn(`idle Postgres connection failed: ${err.message}`),
    logger: new TypeormLogger(),
    // Entities registered with TypeOrmModule.forFeature; the schema is the migrations' alone.
    autoLoadEntities: true,
    synchronize: false,
    // A database that cannot be reached fails the start at once, with its reason.
    toRetry: () => false,
  };
}

async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource(options);
  try {
    await dataSource.initialize();
    const applied = await runMigrations(dataSource);
    if (applied.length > 0) new Logger("Migrations").log(`applied ${applied.join(", ")}`);
  } catch (err) {
    if (dataSource.isInitialized) await dataSource.destroy();
    throw new Error(`cannot use the database: ${(err as Error).message}`, { cause: err });
  }
  return dataSource;
}

/**
 * One TypeORM DataSource for the whole service, migrated before any feature gets it and destroyed
 * on shutdown; features take repositories of their entities (`TypeOrmModule.forFeature`), or a
 * repository class of their own that runs its hand-written SQL on `poolOf(dataSource)`. The pool
 * itself is no injectable: what writes events does so through the event store on it.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(options),
          dataSourceFactory: (typeorm) => openDataSource(typeorm as DataSourceOptions),
        }),
      ],
    };
  }
}
