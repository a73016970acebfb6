import { Module } from "@nestjs/common";
import { SERVICE_CONFIG } from "@statecast/platform";
import { AuditController } from "./audit.controller.js";
import { AuditRepository } from "./audit.repository.js";
import { AuditService } from "./audit.service.js";
import { AuditGate, type AuditLimits, DEFAULT_AUDIT_LIMITS } from "./audit-limits.js";

@Module({
  controllers: [AuditController],
  providers: [
    AuditRepository,
    AuditService,
    {
      provide: AuditGate,
      inject: [SERVICE_CONFIG],
      useFactory: (config: { audit?: AuditLimits }) =>
        new AuditGate(config.audit ?? DEFAULT_AUDIT_LIMITS),
    },
  ],
})
export class AuditModule {}
