import {
  type BeforeApplicationShutdown,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
} from "@nestjs/common";
import { getDataSourceToken } from "@nestjs/typeorm";
import {
  createRegistry,
  deviceCatalog,
  type EventRegistry,
  enrollmentCatalog,
  type PartitionOptions,
  PostgresEventStore,
  partitionName,
  partitionNames,
  partitionOf,
  poolOf,
  type RunningProcessor,
  revisionCatalog,
  rolloutCatalog,
  runProcessor,
} from "@statecast/events";
import { SERVICE_CONFIG } from "@statecast/platform";
import type { DataSource } from "typeorm";
import { tokenCatalog } from "../auth/token.catalog.js";
import { tokenProjection } from "../auth/token.projection.js";
import { deviceRegistryProjection } from "../devices/device-registry.projection.js";
import { enrollmentTokenProjection } from "../enrollment/enrollment-token.projection.js";
import { maintenanceCatalog } from "../maintenance/maintenance.catalog.js";
import { objectCatalog } from "../objects/object.catalog.js";
import { revisionProjection } from "../revisions/revision.projection.js";
import { trustCatalog } from "../trust/trust.catalog.js";
import { PROCESSOR_PARTITIONS, ProcessorShare } from "./processor-share.js";
import {
  PROJECTION_CHECKPOINTS,
  type Projection,
  type ProjectionCheckpoints,
} from "./projection.js";
import { ProjectionWaiter } from "./projection-waiter.js";

/** Every event type the orchestrator may append. */
export function orchestratorRegistry(): EventRegistry {
  return createRegistry(
    deviceCatalog,
    revisionCatalog,
    rolloutCatalog,
    tokenCatalog,
    trustCatalog,
    enrollmentCatalog,
    maintenanceCatalog,
    objectCatalog,
  );
}

export const ORCHESTRATOR_PROJECTIONS: readonly Projection[] = [
  tokenProjection,
  deviceRegistryProjection,
  revisionProjection,
  enrollmentTokenProjection,
];

/** Where a projection's checkpoints are: by-stream ones have one per partition. */
function projectionCheckpoints(count: number): ProjectionCheckpoints {
  return (name, streamId) => {
    const byStream = ORCHESTRATOR_PROJECTIONS.find((p) => p.name === name)?.byStream === true;
    if (!byStream || count === 1) return [name];
    return streamId === undefined
      ? partitionNames(name, count)
      : [partitionName(name, partitionOf(streamId, count), count)];
  };
}

/** Runs each read model's checkpointed processor for the app's lifetime. */
@Injectable()
export class ProjectionRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger("Projections");
  private running: RunningProcessor[] = [];

  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(ProcessorShare) private readonly share: ProcessorShare,
  ) {}

  onApplicationBootstrap(): void {
    this.running = ORCHESTRATOR_PROJECTIONS.map((projection) =>
      this.share.track(
        runProcessor(this.store, {
          name: projection.name,
          types: projection.types,
          ...(projection.batchSize ? { batchSize: projection.batchSize } : {}),
          // By stream, so each stream's events stay in order within one partition.
          ...(projection.byStream ? { partitions: this.share.partitions } : {}),
          handle: (events, client) => projection.handle(events, client),
          onPartition: this.share.moved(projection.name),
          onError: (error) => this.logger.warn(`${projection.name}: ${error.message}`),
        }),
      ),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.running.map((processor) => processor.stop()));
    await this.store.close();
  }
}

/** The event store (one per app, over the platform's pool) and the projections it feeds. */
@Global()
@Module({
  providers: [
    {
      provide: PostgresEventStore,
      inject: [getDataSourceToken()],
      useFactory: (dataSource: DataSource) =>
        new PostgresEventStore(poolOf(dataSource), orchestratorRegistry()),
    },
    {
      provide: PROCESSOR_PARTITIONS,
      inject: [SERVICE_CONFIG],
      useFactory: (config: { processorPartitions?: PartitionOptions }): PartitionOptions =>
        config.processorPartitions ?? { count: 1 },
    },
    {
      provide: PROJECTION_CHECKPOINTS,
      inject: [PROCESSOR_PARTITIONS],
      useFactory: (partitions: PartitionOptions) => projectionCheckpoints(partitions.count),
    },
    ProcessorShare,
    ProjectionWaiter,
    ProjectionRunner,
  ],
  exports: [PostgresEventStore, ProjectionWaiter, ProcessorShare, PROCESSOR_PARTITIONS],
})
export class ProjectionsModule {}
