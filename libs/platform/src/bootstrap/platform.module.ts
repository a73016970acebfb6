import { readFileSync } from "node:fs";
import { credsAuthenticator } from "@nats-io/transport-node";
import { type DynamicModule, Module } from "@nestjs/common";
import type { Migration } from "@statecast/events";
import type { ServiceConfig } from "../config/service-config.js";
import { DatabaseModule } from "../database/database.module.js";
import { HealthModule } from "../health/health.module.js";
import { NatsModule, type NatsModuleOptions } from "../nats/nats.module.js";
import { SERVICE_CONFIG } from "../tokens.js";

export interface PlatformModuleOptions<Config extends ServiceConfig = ServiceConfig> {
  serviceName: string;
  config: Config;
  /** Every schema change the service owns, in order; applied before any feature gets the database. */
  migrations?: readonly Migration[];
  /** NATS client options beyond the servers (credentials, …). */
  nats?: NatsModuleOptions["connection"];
}

/**
 * What every service imports first: its config (`SERVICE_CONFIG`), the TypeORM DataSource, the NATS
 * connection and JetStream client (all global), and the health endpoints.
 */
@Module({})
export class PlatformModule {
  static forRoot<Config extends ServiceConfig>(
    options: PlatformModuleOptions<Config>,
  ): DynamicModule {
    const { config, serviceName } = options;
    const database = DatabaseModule.forRoot({
      url: config.databaseUrl,
      statementTimeoutMs: config.statementTimeoutMs,
      idleInTransactionTimeoutMs: config.idleInTransactionTimeoutMs,
      ...(options.migrations ? { migrations: options.migrations } : {}),
    });
    const connection = options.nats ?? {
      ...(config.natsCredsFile
        ? { authenticator: credsAuthenticator(readFileSync(config.natsCredsFile)) }
        : {}),
      // TLS required and only the deployment's CA trusted (not the system's).
      ...(config.natsCaFile ? { tls: { ca: readFileSync(config.natsCaFile, "utf8") } } : {}),
    };
    const nats = NatsModule.forRoot({
      servers: config.natsServers,
      name: serviceName,
      connection,
    });
    return {
      module: PlatformModule,
      global: true,
      imports: [database, nats, HealthModule],
      providers: [{ provide: SERVICE_CONFIG, useValue: config }],
      exports: [SERVICE_CONFIG, database, nats],
    };
  }
}
