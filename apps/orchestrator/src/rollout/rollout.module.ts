import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
} from "@nestjs/common";
import { TypeOrmModule } from "@nestjs/typeorm";
import { PostgresEventStore, type RunningProcessor, runProcessor } from "@statecast/events";
import { ProcessorShare } from "../projections/processor-share.js";
import { RolloutController } from "./rollout.controller.js";
import { RolloutRow } from "./rollout.entity.js";
import { RolloutService } from "./rollout.service.js";
import { RolloutFleetRepository } from "./rollout-fleet.repository.js";
import {
  PROCESS_MANAGER_NAME,
  PROCESS_MANAGER_TYPES,
  RolloutProcessManager,
} from "./rollout-process-manager.js";
import { RolloutStates } from "./rollout-states.js";
import { RolloutTimers } from "./rollout-timers.js";
import { RolloutWriter } from "./rollout-writer.js";

export { rolloutMigrations } from "./rollout.migrations.js";

/**
 * Runs the process manager (checkpointed; one active replica per partition, partitioned by rollout)
 * and the timer poller (replicas share due timers).
 */
@Injectable()
export class RolloutRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger("Rollouts");
  private processor: RunningProcessor | undefined;
  private timers: RolloutTimers | undefined;

  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(RolloutStates) private readonly states: RolloutStates,
    @Inject(RolloutWriter) private readonly writer: RolloutWriter,
    @Inject(ProcessorShare) private readonly share: ProcessorShare,
  ) {}

  onApplicationBootstrap(): void {
    const clock = () => new Date();
    const warn = (message: string) => this.logger.warn(message);
    const manager = new RolloutProcessManager(this.store, this.states, this.writer, clock, warn);
    this.processor = this.share.track(
      runProcessor(this.store, {
        name: PROCESS_MANAGER_NAME,
        types: PROCESS_MANAGER_TYPES,
        batchSize: 1000,
        // By rollout: each partition picks from every device event those of its rollouts.
        partitions: this.share.partitions,
        routing: "handler",
        handle: (events, client, partition) => manager.handle(events, client, partition),
        onCommitted: (outcome) => this.share.countRollout(outcome),
        onPartition: this.share.moved(PROCESS_MANAGER_NAME),
        onError: (error) => warn(`${PROCESS_MANAGER_NAME}: ${error.message}`),
        retryDelayMs: 100,
      }),
    );
    this.timers = new RolloutTimers(this.store, this.states, this.writer, clock, warn);
    this.timers.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.processor?.stop(), this.timers?.stop()]);
  }
}

@Module({
  imports: [TypeOrmModule.forFeature([RolloutRow])],
  controllers: [RolloutController],
  providers: [
    {
      provide: RolloutStates,
      inject: [PostgresEventStore],
      useFactory: (store: PostgresEventStore) => new RolloutStates(store),
    },
    {
      provide: RolloutWriter,
      inject: [PostgresEventStore, RolloutStates],
      useFactory: (store: PostgresEventStore, states: RolloutStates) =>
        new RolloutWriter(store, states),
    },
    RolloutFleetRepository,
    RolloutService,
    RolloutRunner,
  ],
})
export class RolloutModule {}
