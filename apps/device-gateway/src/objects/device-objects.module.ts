import type { JetStreamClient } from "@nats-io/jetstream";
import { type ObjectStore as NatsObjectStore, Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  type BeforeApplicationShutdown,
  Inject,
  Module,
  type OnApplicationBootstrap,
} from "@nestjs/common";
import { OBJECTS_BUCKET } from "@statecast/nats-auth";
import { JETSTREAM, NATS_CONNECTION, SERVICE_CONFIG } from "@statecast/platform";
import type { GatewayConfig } from "../config/gateway.config.js";
import { GatewayView } from "../view/gateway-view.js";
import { ViewModule } from "../view/view.module.js";
import { ChunkCache } from "./chunk-cache.js";
import { DeviceObjectsController } from "./device-objects.controller.js";
import { DeviceObjectsService } from "./device-objects.service.js";
import { NatsObjectSource } from "./nats-object-source.js";
import { ObjectAccess } from "./object-access.js";
import { ObjectReadsMetrics } from "./object-reads.metrics.js";
import { ObjectResponder } from "./object-responder.js";
import { ReadGate } from "./read-gate.js";

const NATS_OBJECTS = "gateway:sc_objects";

/** Objects for devices: over HTTP (`/v1/device-objects/:sha`) and `sc.dev.<id>.object`. */
@Module({
  imports: [ViewModule],
  controllers: [DeviceObjectsController],
  providers: [
    DeviceObjectsService,
    {
      provide: NATS_OBJECTS,
      inject: [JETSTREAM, SERVICE_CONFIG],
      useFactory: (js: JetStreamClient, config: GatewayConfig) =>
        new Objm(js).create(OBJECTS_BUCKET, { replicas: config.natsReplicas }),
    },
    {
      provide: NatsObjectSource,
      inject: [NATS_OBJECTS, JETSTREAM],
      useFactory: async (objects: NatsObjectStore, js: JetStreamClient) =>
        new NatsObjectSource(objects, await js.jetstreamManager()),
    },
    {
      provide: ObjectAccess,
      inject: [GatewayView, SERVICE_CONFIG],
      useFactory: (view: GatewayView, config: GatewayConfig) =>
        new ObjectAccess(view, { publicObjectFleets: config.publicObjectFleets }),
    },
    {
      provide: ObjectResponder,
      inject: [NATS_CONNECTION, JETSTREAM, ObjectAccess, NATS_OBJECTS, SERVICE_CONFIG],
      useFactory: async (
        nc: NatsConnection,
        js: JetStreamClient,
        access: ObjectAccess,
        objects: NatsObjectStore,
        config: GatewayConfig,
      ) =>
        new ObjectResponder(
          nc,
          await js.jetstreamManager(),
          objects,
          access,
          new ReadGate(config.objectReads),
          new ChunkCache(config.objectCacheBytes),
        ),
    },
    ObjectReadsMetrics,
  ],
  // The delta maker (TargetsModule) tells the responder when it wrote a revision's offers.
  exports: [ObjectResponder],
})
export class DeviceObjectsModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(ObjectResponder) private readonly responder: ObjectResponder) {}

  onApplicationBootstrap(): void {
    this.responder.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.responder.stop();
  }
}
