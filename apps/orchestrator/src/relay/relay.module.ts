import type { NatsConnection } from "@nats-io/transport-node";
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
} from "@nestjs/common";
import { PostgresEventStore, type RunningProcessor, startRelay } from "@statecast/events";
import { NATS_CONNECTION, SERVICE_CONFIG, type ServiceConfig } from "@statecast/platform";

/**
 * Publishes every committed event to JetStream `SC_EVENTS` for the rest of the system (gateway,
 * dashboards, other sites). Every replica starts it; the processor's advisory lock keeps one active.
 */
@Injectable()
export class RelayRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger("Relay");
  private relay?: RunningProcessor;

  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.relay = await startRelay(this.store, {
      nats: this.nats,
      replicas: this.config.natsReplicas,
      retention: this.config.eventsStream,
      onError: (error) => this.logger.warn(`relay: ${error.message}`),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }
}

@Module({ providers: [RelayRunner] })
export class RelayModule {}
