import { type DynamicModule, Module } from "@nestjs/common";
import { eventStoreMigrations, type Migration } from "@statecast/events";
import { MetricsModule, PlatformModule } from "@statecast/platform";
import { auditMigrations } from "./audit/audit.migrations.js";
import { AuditModule } from "./audit/audit.module.js";
import { AuthModule } from "./auth/auth.module.js";
import type { OrchestratorConfig } from "./config/orchestrator.config.js";
import { DevicePlaneModule } from "./device-plane/device-plane.module.js";
import { DevicesModule } from "./devices/devices.module.js";
import { EnrollmentModule } from "./enrollment/enrollment.module.js";
import { MaintenanceModule } from "./maintenance/maintenance.module.js";
import { ObjectsModule } from "./objects/objects.module.js";
import { ProjectionsModule } from "./projections/projections.module.js";
import { orchestratorMigrations } from "./projections/read-model.migrations.js";
import { RelayModule } from "./relay/relay.module.js";
import { RevisionsModule } from "./revisions/revisions.module.js";
import { RolloutModule, rolloutMigrations } from "./rollout/rollout.module.js";
import { TrustModule } from "./trust/trust.module.js";

/** Every schema change the orchestrator owns, in order: add a package's list after those it needs. */
export const orchestratorSchema: readonly Migration[] = [
  ...eventStoreMigrations,
  ...orchestratorMigrations,
  ...auditMigrations,
  ...rolloutMigrations,
];

@Module({})
export class AppModule {
  static register(config: OrchestratorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          serviceName: "orchestrator",
          config,
          migrations: orchestratorSchema,
        }),
        // Feature modules, one line each:
        ProjectionsModule,
        RelayModule,
        AuthModule,
        ObjectsModule,
        TrustModule,
        MaintenanceModule,
        RevisionsModule,
        DevicesModule,
        DevicePlaneModule,
        EnrollmentModule,
        AuditModule,
        RolloutModule,
        MetricsModule,
      ],
    };
  }
}
