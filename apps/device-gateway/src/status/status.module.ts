import { type JetStreamClient, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  type BeforeApplicationShutdown,
  Inject,
  Module,
  type OnApplicationBootstrap,
} from "@nestjs/common";
import { getDataSourceToken } from "@nestjs/typeorm";
import { reportBackoffSubject } from "@statecast/contract";
import { createRegistry, deviceCatalog, PostgresEventStore, poolOf } from "@statecast/events";
import {
  JETSTREAM,
  NATS_CONNECTION,
  SERVICE_CONFIG,
  type ServiceConfig,
} from "@statecast/platform";
import type { DataSource } from "typeorm";
import type { GatewayConfig } from "../config/gateway.config.js";
import { DropCounter } from "./drop-counter.js";
import { StatusMetrics } from "./status.metrics.js";
import { StatusIngestor } from "./status-ingestor.js";
import { ensureStatusStream } from "./status-stream.js";
import { StatusTrimmer } from "./status-trimmer.js";

/** The device event store as the gateway writes it (device streams only). */
export const DEVICE_EVENT_STORE = "gateway:device-event-store";

@Module({
  providers: [
    {
      provide: DEVICE_EVENT_STORE,
      inject: [getDataSourceToken()],
      useFactory: (dataSource: DataSource) =>
        new PostgresEventStore(poolOf(dataSource), createRegistry(deviceCatalog)),
    },
    DropCounter,
    {
      provide: StatusIngestor,
      inject: [NATS_CONNECTION, JETSTREAM, DEVICE_EVENT_STORE, DropCounter, SERVICE_CONFIG],
      useFactory: async (
        nc: NatsConnection,
        js: JetStreamClient,
        store: PostgresEventStore,
        drops: DropCounter,
        config: ServiceConfig,
      ) => {
        const jsm = await jetstreamManager(nc);
        const ensureConsumer = () =>
          ensureStatusStream(jsm, { replicas: config.natsReplicas, limits: config.statusStream });
        await ensureConsumer();
        const { reportRate } = config as Partial<GatewayConfig>;
        return new StatusIngestor(js, store, drops, {
          ...(reportRate ? { rate: reportRate } : {}),
          ensureConsumer,
          backoff: (deviceId, retryAfterMs) => {
            const reason = "reports over this device's rate: the gateway holds them; send later";
            nc.publish(reportBackoffSubject(deviceId), JSON.stringify({ retryAfterMs, reason }));
          },
        });
      },
    },
    {
      provide: StatusTrimmer,
      // After the ingestor: the stream and its consumer exist by then.
      inject: [NATS_CONNECTION, StatusIngestor],
      useFactory: async (nc: NatsConnection) => new StatusTrimmer(await jetstreamManager(nc)),
    },
    StatusMetrics,
  ],
  exports: [DEVICE_EVENT_STORE, DropCounter, StatusIngestor],
})
export class StatusModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(StatusIngestor) private readonly ingestor: StatusIngestor,
    @Inject(StatusTrimmer) private readonly trimmer: StatusTrimmer,
  ) {}

  onApplicationBootstrap(): void {
    this.ingestor.start();
    this.trimmer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.trimmer.stop();
    await this.ingestor.stop();
  }
}
