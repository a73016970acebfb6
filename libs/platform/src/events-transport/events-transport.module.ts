import type { NatsConnection } from "@nats-io/transport-node";
import { type DynamicModule, Module } from "@nestjs/common";
import { getDataSourceToken } from "@nestjs/typeorm";
import { poolOf } from "@statecast/events";
import type { DataSource } from "typeorm";
import { MICROSERVICE_STRATEGY, NATS_CONNECTION } from "../tokens.js";
import { PostgresConsumerLeases, type PostgresLeaseOptions } from "./consumer-lease.js";
import { type JetStreamEventsOptions, JetStreamEventsServer } from "./jetstream-events.server.js";

export interface EventsTransportOptions extends Omit<JetStreamEventsOptions, "leases"> {
  /**
   * Leases for consumers with more than one message in flight, as advisory locks in the
   * service's own database (its TypeORM DataSource).
   */
  databaseLeases?: PostgresLeaseOptions;
}

/**
 * The JetStream events transport on the service's NATS connection. `bootstrapApp` connects it as
 * the app's microservice, so the app's `OnStreamEvent` handlers consume from its first start.
 */
@Module({})
export class EventsTransportModule {
  static forRoot(options: EventsTransportOptions): DynamicModule {
    const { databaseLeases, ...transport } = options;
    return {
      module: EventsTransportModule,
      global: true,
      providers: [
        databaseLeases
          ? {
              provide: MICROSERVICE_STRATEGY,
              inject: [NATS_CONNECTION, getDataSourceToken()],
              useFactory: (nc: NatsConnection, dataSource: DataSource) => {
                const leases = new PostgresConsumerLeases(poolOf(dataSource), databaseLeases);
                return new JetStreamEventsServer(nc, { ...transport, leases });
              },
            }
          : {
              provide: MICROSERVICE_STRATEGY,
              inject: [NATS_CONNECTION],
              useFactory: (nc: NatsConnection) => new JetStreamEventsServer(nc, transport),
            },
      ],
      exports: [MICROSERVICE_STRATEGY],
    };
  }
}
