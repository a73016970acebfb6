import type { JetStreamClient } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Module } from "@nestjs/common";
import { REVISIONS_BUCKET } from "@statecast/contract";
import { JETSTREAM, SERVICE_CONFIG, type ServiceConfig } from "@statecast/platform";
import {
  DEFAULT_OBJECT_GC,
  OBJECT_GC_OPTIONS,
  ObjectGc,
  type ObjectGcOptions,
} from "./object-gc.js";
import { ObjectGcRepository } from "./object-gc.repository.js";
import { ObjectGcScheduler } from "./object-gc.scheduler.js";
import { ObjectStats } from "./object-stats.js";
import {
  createObjectStore,
  DEFAULT_MAX_OBJECT_BYTES,
  OBJECT_STORE,
  OBJECTS_OPTIONS,
  type ObjectsConfig,
} from "./object-store.provider.js";
import { ObjectsController } from "./objects.controller.js";
import { ObjectsMetrics } from "./objects.metrics.js";
import { ObjectsService } from "./objects.service.js";
import { RevisionPublisher } from "./revision-publisher.js";

/**
 * Content-addressed objects in `sc_objects` (NATS), uploaded and served over HTTP by any replica;
 * no disk is shared between replicas.
 */
@Module({
  controllers: [ObjectsController],
  providers: [
    { provide: OBJECT_STORE, inject: [SERVICE_CONFIG, JETSTREAM], useFactory: createObjectStore },
    {
      provide: OBJECTS_OPTIONS,
      inject: [SERVICE_CONFIG],
      useFactory: (config: ObjectsConfig) => ({
        maxObjectBytes: config.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES,
      }),
    },
    {
      provide: OBJECT_GC_OPTIONS,
      inject: [SERVICE_CONFIG],
      useFactory: (config: { objectGc?: ObjectGcOptions }) => config.objectGc ?? DEFAULT_OBJECT_GC,
    },
    ObjectStats,
    ObjectsMetrics,
    ObjectsService,
    ObjectGcRepository,
    ObjectGc,
    ObjectGcScheduler,
    {
      provide: RevisionPublisher,
      inject: [JETSTREAM, SERVICE_CONFIG],
      useFactory: async (js: JetStreamClient, config: ServiceConfig) =>
        new RevisionPublisher(
          await new Kvm(js).create(REVISIONS_BUCKET, { history: 1, replicas: config.natsReplicas }),
        ),
    },
  ],
  exports: [OBJECT_STORE, RevisionPublisher, ObjectGcRepository],
})
export class ObjectsModule {}
