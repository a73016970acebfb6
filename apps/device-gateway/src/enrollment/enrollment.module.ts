import type { JetStreamClient } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  type BeforeApplicationShutdown,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
} from "@nestjs/common";
import { getDataSourceToken } from "@nestjs/typeorm";
import {
  createRegistry,
  deviceCatalog,
  enrollmentCatalog,
  PostgresEventStore,
  poolOf,
} from "@statecast/events";
import { loadGatewaySetup } from "@statecast/nats-auth";
import { JETSTREAM, NATS_CONNECTION, SERVICE_CONFIG } from "@statecast/platform";
import type { DataSource } from "typeorm";
import type { GatewayConfig } from "../config/gateway.config.js";
import { GatewayView } from "../view/gateway-view.js";
import { ViewModule } from "../view/view.module.js";
import { CredentialRevoker, REVOCATIONS_BUCKET } from "./credential-revoker.js";
import { ENROLLMENT, type Enrollment } from "./enrollment.tokens.js";
import { EnrollmentResponder } from "./enrollment-responder.js";
import { HelloLimits } from "./hello-limits.js";
import { RevocationEventsController } from "./revocation-events.controller.js";

export { ENROLLMENT, type Enrollment } from "./enrollment.tokens.js";

/**
 * Enrollment (`sc.dev.*.hello`, queue group `sc-enrollment`) and credential revocation, both
 * signing with the gateway NATS setup named by STATECAST_NATS_AUTH_DIR. Without it the gateway runs
 * without them and says so once.
 */
@Module({
  imports: [ViewModule],
  controllers: [RevocationEventsController],
  providers: [
    {
      provide: ENROLLMENT,
      inject: [SERVICE_CONFIG, getDataSourceToken(), GatewayView, NATS_CONNECTION, JETSTREAM],
      useFactory: async (
        config: GatewayConfig,
        dataSource: DataSource,
        view: GatewayView,
        nc: NatsConnection,
        js: JetStreamClient,
      ): Promise<Enrollment | null> => {
        if (!config.natsAuthDir) return null;
        // Appends only: device streams and enrollment-token streams (a token's uses are appended
        // with the device). Decisions read the gateway's view.
        const store = new PostgresEventStore(
          poolOf(dataSource),
          createRegistry(deviceCatalog, enrollmentCatalog),
        );
        const setup = loadGatewaySetup(config.natsAuthDir);
        const revocations = await new Kvm(js).create(REVOCATIONS_BUCKET, {
          history: 1,
          replicas: config.natsReplicas,
        });
        return {
          responder: new EnrollmentResponder(
            nc,
            store,
            view,
            setup,
            new HelloLimits(view, config.hello),
            {
              ...(config.deviceCredentialsLifetimeMs !== undefined
                ? { credentialsLifetimeMs: config.deviceCredentialsLifetimeMs }
                : {}),
              legacyTargetWatch: config.legacyTargetWatch,
            },
          ),
          revoker: new CredentialRevoker(view, revocations, setup, {
            servers: config.natsServers,
            caFile: config.natsCaFile,
          }),
        };
      },
    },
  ],
})
export class EnrollmentModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger("Enrollment");

  constructor(@Inject(ENROLLMENT) private readonly enrollment: Enrollment | null) {}

  onApplicationBootstrap(): void {
    if (!this.enrollment) {
      this.logger.warn(
        "enrollment and credential revocation are disabled: STATECAST_NATS_AUTH_DIR is not set",
      );
      return;
    }
    this.enrollment.responder.start();
    void this.enrollment.revoker.start();
    this.logger.log("answering device hellos (queue group sc-enrollment)");
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.enrollment?.responder.stop();
  }
}
