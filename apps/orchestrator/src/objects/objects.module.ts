import { Module } from "@nestjs/common";
import { SERVICE_CONFIG } from "@statecast/platform";
import {
  DEFAULT_OBJECT_GC,
  OBJECT_GC_OPTIONS,
  ObjectGc,
  type ObjectGcOptions,
} from "./object-gc.js";
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
    ObjectGc,
    ObjectGcScheduler,
  ],
  exports: [OBJECT_STORE],
})
export class ObjectsModule {}
