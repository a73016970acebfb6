import type { NatsConnection } from "@nats-io/transport-node";
import { type DynamicModule, Module } from "@nestjs/common";
import { MICROSERVICE_STRATEGY, NATS_CONNECTION } from "../tokens.js";
import { type JetStreamEventsOptions, JetStreamEventsServer } from "./jetstream-events.server.js";

/**
 * The JetStream events transport on the service's NATS connection. `bootstrapApp` connects it as
 * the app's microservice, so the app's `OnStreamEvent` handlers consume from its first start.
 */
@Module({})
export class EventsTransportModule {
  static forRoot(options: JetStreamEventsOptions): DynamicModule {
    return {
      module: EventsTransportModule,
      global: true,
      providers: [
        {
          provide: MICROSERVICE_STRATEGY,
          inject: [NATS_CONNECTION],
          useFactory: (nc: NatsConnection) => new JetStreamEventsServer(nc, options),
        },
      ],
      exports: [MICROSERVICE_STRATEGY],
    };
  }
}
