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
  PostgresEventStore,
  poolOf,
  type RunningProcessor,
  revisionCatalog,
  rolloutCatalog,
  runProcessor,
} from "@statecast/events";
import type { DataSource } from "typeorm";
import { tokenCatalog } from "../auth/token.catalog.js";
import { tokenProjection } from "../auth/token.projection.js";
import { deviceRegistryProjection } from "../devices/device-registry.projection.js";
import { enrollmentTokenProjection } from "../enrollment/enrollment-token.projection.js";
import { maintenanceCatalog } from "../maintenance/maintenance.catalog.js";
import { objectCatalog } from "../objects/object.catalog.js";
import { revisionProjection } from "../revisions/revision.projection.js";
import { trustCatalog } from "../trust/trust.catalog.js";
import type { Projection } from "./projection.js";
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

/** Runs each read model's checkpointed processor for the app's lifetime. */
@Injectable()
export class ProjectionRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger("Projections");
  private running: RunningProcessor[] = [];

  constructor(@Inject(PostgresEventStore) private readonly store: PostgresEventStore) {}

  onApplicationBootstrap(): void {
    this.running = ORCHESTRATOR_PROJECTIONS.map((projection) =>
      runProcessor(this.store, {
        name: projection.name,
        types: projection.types,
        handle: (events, client) => projection.handle(events, client),
        onError: (error) => this.logger.warn(`${projection.name}: ${error.message}`),
      }),
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
    ProjectionWaiter,
    ProjectionRunner,
  ],
  exports: [PostgresEventStore, ProjectionWaiter],
})
export class ProjectionsModule {}
