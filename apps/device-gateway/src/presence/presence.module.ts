import {
  type BeforeApplicationShutdown,
  Inject,
  Module,
  type OnApplicationBootstrap,
} from "@nestjs/common";
import type { PostgresEventStore } from "@statecast/events";
import { DEVICE_EVENT_STORE, StatusModule } from "../status/status.module.js";
import { PresenceSweeper } from "./presence-sweeper.js";

@Module({
  imports: [StatusModule],
  providers: [
    {
      provide: PresenceSweeper,
      inject: [DEVICE_EVENT_STORE],
      useFactory: (store: PostgresEventStore) =>
        new PresenceSweeper(store, { offlineAfterMs: 90_000, sweepEveryMs: 10_000 }),
    },
  ],
  exports: [PresenceSweeper],
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
