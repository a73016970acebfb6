import { Inject, Injectable } from "@nestjs/common";
import { HealthIndicatorService } from "@nestjs/terminus";
import pg from "pg";
import { PG_POOL } from "../tokens.js";

/** Up when the pool can run `SELECT 1` within the timeout. */
@Injectable()
export class PostgresHealthIndicator {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly health: HealthIndicatorService,
  ) {}

  isHealthy(key = "postgres", timeoutMs = 2_000) {
    return this.health
      .check(key)
      .attempt(async () => {
        await this.pool.query("SELECT 1");
      })
      .withTimeout(timeoutMs);
  }
}
