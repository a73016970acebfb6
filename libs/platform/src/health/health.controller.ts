import { Controller, Get } from "@nestjs/common";
import { HealthCheck, HealthCheckService } from "@nestjs/terminus";
import { NatsHealthIndicator } from "./nats.health.js";
import { PostgresHealthIndicator } from "./postgres.health.js";

/** Liveness: the process answers. Readiness: Postgres and NATS answer too. */
@Controller("health")
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly postgres: PostgresHealthIndicator,
    private readonly nats: NatsHealthIndicator,
  ) {}

  @Get("live")
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get("ready")
  @HealthCheck()
  ready() {
    return this.health.check([() => this.postgres.isHealthy(), () => this.nats.isHealthy()]);
  }
}
