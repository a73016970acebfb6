import { type DynamicModule, Module } from "@nestjs/common";
import { MetricsModule, PlatformModule } from "@statecast/platform";
import type { GatewayConfig } from "./config/gateway.config.js";
import { DeviceMetricsModule } from "./device-metrics/device-metrics.module.js";
import { EnrollmentModule } from "./enrollment/enrollment.module.js";
import { DeviceObjectsModule } from "./objects/device-objects.module.js";
import { PresenceModule } from "./presence/presence.module.js";
import { StatusModule } from "./status/status.module.js";
import { TargetsModule } from "./targets/targets.module.js";

@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({ serviceName: "device-gateway", config }),
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
