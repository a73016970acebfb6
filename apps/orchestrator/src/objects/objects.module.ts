import type { JetStreamClient } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import { Module } from "@nestjs/common";
import { OBJECTS_BUCKET, REVISIONS_BUCKET } from "@statecast/contract";
import { JETSTREAM, SERVICE_CONFIG, type ServiceConfig } from "@statecast/platform";
import type { ObjectStore } from "@statecast/state";
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

/** Content-addressed objects under `$STATECAST_DATA_DIR/objects`, uploaded and served over HTTP. */
@Module({
  controllers: [ObjectsController],
  providers: [
    { provide: OBJECT_STORE, inject: [SERVICE_CONFIG], useFactory: createObjectStore },
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
      inject: [OBJECT_STORE, JETSTREAM, SERVICE_CONFIG],
      useFactory: async (objects: ObjectStore, js: JetStreamClient, config: ServiceConfig) => {
        const replicas = config.natsReplicas;
        return new RevisionPublisher(
          objects,
          await new Objm(js).create(OBJECTS_BUCKET, { replicas }),
          await new Kvm(js).create(REVISIONS_BUCKET, { history: 1, replicas }),
        );
      },
    },
  ],
  exports: [OBJECT_STORE, RevisionPublisher, ObjectGcRepository],
})
export class ObjectsModule {}
