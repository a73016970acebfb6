import { type DynamicModule, Module } from "@nestjs/common";
import { eventStoreMigrations, type Migration } from "@statecast/events";
import { MetricsModule, PlatformModule } from "@statecast/platform";
import type { GatewayConfig } from "./config/gateway.config.js";
import { DeviceMetricsModule } from "./device-metrics/device-metrics.module.js";
import { EnrollmentModule } from "./enrollment/enrollment.module.js";
import { helloLimitMigrations } from "./enrollment/hello-limits.js";
import { DeviceObjectsModule } from "./objects/device-objects.module.js";
import { presenceMigrations } from "./presence/presence.migrations.js";
import { PresenceModule } from "./presence/presence.module.js";
import { StatusModule } from "./status/status.module.js";
import { TargetsModule } from "./targets/targets.module.js";

/** Every schema change the gateway owns, in order: add a package's list after those it needs. */
const migrations: readonly Migration[] = [
  ...eventStoreMigrations,
  ...presenceMigrations,
  ...helloLimitMigrations,
];

@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ serviceName: "device-gateway", config, migrations }),
        // Feature modules, one line each:
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
