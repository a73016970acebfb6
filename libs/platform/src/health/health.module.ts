import { Module } from "@nestjs/common";
import { TerminusModule } from "@nestjs/terminus";
import { HealthController } from "./health.controller.js";
import { NatsHealthIndicator } from "./nats.health.js";
import { PostgresHealthIndicator } from "./postgres.health.js";

/** `/health/live` and `/health/ready`; needs `DatabaseModule` and `NatsModule` (global). */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: "json" })],
  controllers: [HealthController],
  providers: [PostgresHealthIndicator, NatsHealthIndicator],
  exports: [PostgresHealthIndicator, NatsHealthIndicator],
})
export class HealthModule {}
