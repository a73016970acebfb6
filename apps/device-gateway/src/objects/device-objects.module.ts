import type { JetStreamClient } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  type BeforeApplicationShutdown,
  Inject,
  Module,
  type OnApplicationBootstrap,
} from "@nestjs/common";
import { OBJECTS_BUCKET } from "@statecast/nats-auth";
import { JETSTREAM, NATS_CONNECTION, PG_POOL, SERVICE_CONFIG } from "@statecast/platform";
import type pg from "pg";
import type { GatewayConfig } from "../config/gateway.config.js";
import { StatusModule } from "../status/status.module.js";
import { DeviceObjectsController } from "./device-objects.controller.js";
import { DeviceObjectsService } from "./device-objects.service.js";
import { ObjectAccess } from "./object-access.js";
import { ObjectResponder } from "./object-responder.js";

/** Objects for devices: over HTTP (`/v1/device-objects/:sha`) and `sc.dev.<id>.object`. */
@Module({
  imports: [StatusModule],
  controllers: [DeviceObjectsController],
  providers: [
    DeviceObjectsService,
    {
      provide: ObjectAccess,
      inject: [PG_POOL, SERVICE_CONFIG],
      useFactory: (pool: pg.Pool, config: GatewayConfig) =>
        new ObjectAccess(pool, { publicObjectFleets: config.publicObjectFleets }),
    },
    {
      provide: ObjectResponder,
      inject: [NATS_CONNECTION, JETSTREAM, ObjectAccess, SERVICE_CONFIG],
      useFactory: async (
        nc: NatsConnection,
        js: JetStreamClient,
        access: ObjectAccess,
        config: GatewayConfig,
      ) => {
        const objects = await new Objm(js).create(OBJECTS_BUCKET, {
          replicas: config.natsReplicas,
        });
        return new ObjectResponder(nc, await js.jetstreamManager(), objects, access);
      },
    },
  ],
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
