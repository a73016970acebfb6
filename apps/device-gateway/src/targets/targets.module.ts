import { join } from "node:path";
import type { JetStreamClient } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import {
  type BeforeApplicationShutdown,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
} from "@nestjs/common";
import { type PostgresEventStore, type RunningProcessor, runProcessor } from "@statecast/events";
import { OBJECTS_BUCKET, TARGETS_BUCKET } from "@statecast/nats-auth";
import { JETSTREAM, SERVICE_CONFIG } from "@statecast/platform";
import { FsObjectStore } from "@statecast/state";
import type { GatewayConfig } from "../config/gateway.config.js";
import { DeltaMaker } from "../deltas/delta-maker.js";
import { DEVICE_EVENT_STORE, StatusModule } from "../status/status.module.js";
import { ensureTargetKey } from "./target-key.js";
import { TargetWriter } from "./target-writer.js";

export const TARGETS_PROCESSOR = "gateway-targets";

@Module({
  imports: [StatusModule],
  providers: [
    {
      provide: TargetWriter,
      inject: [DEVICE_EVENT_STORE, JETSTREAM, SERVICE_CONFIG],
      useFactory: async (store: PostgresEventStore, js: JetStreamClient, config: GatewayConfig) => {
        // History 1: a device only ever needs its latest target. Direct gets: see nats-auth.
        const targets = await new Kvm(js).create(TARGETS_BUCKET, {
          history: 1,
          allow_direct: true,
          replicas: config.natsReplicas,
        });
        const natsObjects = await new Objm(js).create(OBJECTS_BUCKET, {
          replicas: config.natsReplicas,
        });
        // The orchestrator's object store directory (its FsObjectStore under the data dir).
        const objects = new FsObjectStore(join(config.dataDir, "objects"));
        return new TargetWriter(
          store,
          targets,
          natsObjects,
          objects,
          ensureTargetKey(config.dataDir),
          {
            deltas: new DeltaMaker(objects, natsObjects),
            lifetimeMs: config.targetLifetimeMs,
          },
        );
      },
    },
  ],
})
export class TargetsModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger("Targets");
  private processor: RunningProcessor | undefined;

  constructor(
    @Inject(DEVICE_EVENT_STORE) private readonly store: PostgresEventStore,
    @Inject(TargetWriter) private readonly writer: TargetWriter,
  ) {}

  onApplicationBootstrap(): void {
    // One active replica at a time (advisory lock), in log order: per-device seq stays monotonic.
    this.processor = runProcessor(this.store, {
      name: TARGETS_PROCESSOR,
      types: ["TargetAssigned", "TargetCancelled", "TargetInstallForced", "DeviceCameOnline"],
      handle: async (events) => {
        for (const event of events) await this.writer.handle(event);
      },
      onError: (error) => this.logger.warn(`target processor retrying: ${error.message}`),
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.processor?.stop();
  }
}
