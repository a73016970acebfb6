import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  type BeforeApplicationShutdown,
  Inject,
  Module,
  type OnApplicationBootstrap,
} from "@nestjs/common";
import { TypeOrmModule } from "@nestjs/typeorm";
import type { PostgresEventStore } from "@statecast/events";
import { NATS_CONNECTION, SERVICE_CONFIG } from "@statecast/platform";
import type { GatewayConfig } from "../config/gateway.config.js";
import { DEVICE_EVENT_STORE, StatusModule } from "../status/status.module.js";
import { statusIngestedUntil } from "../status/status-coverage.js";
import { StatusIngestor } from "../status/status-ingestor.js";
import { DevicePresence } from "./device-presence.entity.js";
import { PresenceReader } from "./presence.reader.js";
import { PresenceSweeper } from "./presence-sweeper.js";

@Module({
  imports: [StatusModule, TypeOrmModule.forFeature([DevicePresence])],
  providers: [
    PresenceReader,
    {
      provide: PresenceSweeper,
      // After the ingestor: the status stream and its consumer exist by then.
      inject: [DEVICE_EVENT_STORE, SERVICE_CONFIG, NATS_CONNECTION, StatusIngestor],
      useFactory: async (store: PostgresEventStore, config: GatewayConfig, nc: NatsConnection) => {
        const offlineAfterMs = config.offlineAfterMs ?? 90_000;
        const sweepEveryMs = Math.min(10_000, Math.max(1_000, offlineAfterMs / 3));
        const jsm = await jetstreamManager(nc);
        return new PresenceSweeper(store, { offlineAfterMs, sweepEveryMs }, (now) =>
          statusIngestedUntil(jsm, now),
        );
      },
    },
  ],
  exports: [PresenceSweeper, PresenceReader],
})
export class PresenceModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(PresenceSweeper) private readonly sweeper: PresenceSweeper) {}

  onApplicationBootstrap(): void {
    this.sweeper.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.sweeper.stop();
  }
}
