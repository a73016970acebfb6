import { Inject, Injectable } from "@nestjs/common";
import { HealthIndicatorService } from "@nestjs/terminus";
import { DataSource } from "typeorm";

/** Up when the service's DataSource can run `SELECT 1` within the timeout. */
@Injectable()
export class PostgresHealthIndicator {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    private readonly health: HealthIndicatorService,
  ) {}

  isHealthy(key = "postgres", timeoutMs = 2_000) {
    return this.health
      .check(key)
      .attempt(async () => {
        await this.dataSource.query("SELECT 1");
      })
      .withTimeout(timeoutMs);
  }
}
