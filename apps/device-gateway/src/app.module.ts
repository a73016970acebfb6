import { type DynamicModule, Module } from "@nestjs/common";
import {
  EVENTS_STREAM,
  eventStoreMigrations,
  type Migration,
  parseEventPayload,
} from "@statecast/events";
import {
  type DurableConsumerSpec,
  EventsTransportModule,
  MetricsModule,
  PlatformModule,
} from "@statecast/platform";
import type { GatewayConfig } from "./config/gateway.config.js";
import { DeviceMetricsModule } from "./device-metrics/device-metrics.module.js";
import { CREDENTIAL_REVOKER } from "./enrollment/credential-revoker.js";
import { EnrollmentModule } from "./enrollment/enrollment.module.js";
import { helloLimitMigrations } from "./enrollment/hello-limits.js";
import { DeviceObjectsModule } from "./objects/device-objects.module.js";
import { presenceMigrations } from "./presence/presence.migrations.js";
import { PresenceModule } from "./presence/presence.module.js";
import { StatusModule } from "./status/status.module.js";
import { targetConsumers } from "./targets/target-consumers.js";
import { TargetsModule } from "./targets/targets.module.js";
import { gatewayViewMigrations } from "./view/gateway-view.migrations.js";
import { ViewModule } from "./view/view.module.js";
import { VIEW_CONSUMERS } from "./view/view-events.controller.js";

/** Every schema change the gateway owns, in order: add a package's list after those it needs. */
const migrations: readonly Migration[] = [
  ...eventStoreMigrations,
  ...presenceMigrations,
  ...helloLimitMigrations,
  ...gatewayViewMigrations,
];

/**
 * The gateway's durable consumers of SC_EVENTS (what the orchestrator's relay publishes): device
 * events in order for the targets, the streams of its own view (see ViewModule), and revocations
 * when this gateway has a NATS setup to sign with.
 */
function eventConsumers(config: GatewayConfig): DurableConsumerSpec[] {
  return [
    ...targetConsumers(config.targetPartitions),
    ...VIEW_CONSUMERS,
    ...(config.natsAuthDir
      ? [{ name: CREDENTIAL_REVOKER, filterSubject: "sc.evt.device.*.DeviceCredentialsRevoked" }]
      : []),
  ];
}

@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ serviceName: "device-gateway", config, migrations }),
        EventsTransportModule.forRoot({
          stream: EVENTS_STREAM,
          consumers: eventConsumers(config),
          decode: parseEventPayload,
          databaseLeases: {},
        }),
        // Feature modules, one line each:
        ViewModule,
        StatusModule,
        MetricsModule,
        TargetsModule,
        PresenceModule,
        DeviceMetricsModule,
        DeviceObjectsModule,
        EnrollmentModule,
      ],
    };
  }
}
