import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import { poolOf } from "@statecast/events";
import type pg from "pg";
import type { DataSource } from "typeorm";

/** Finds a fleet's enrollment token streams (the tokens themselves are folded from them). */
@Injectable()
export class EnrollmentTokenRepository {
  private readonly pool: pg.Pool;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = poolOf(dataSource);
  }

  /** The streams of the fleet's tokens, oldest first. */
  async streamsOf(fleet: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ stream_id: string }>(
      `SELECT stream_id FROM events
       WHERE type = 'EnrollmentTokenCreated' AND data->>'fleet' = $1
       ORDER BY global_position`,
      [fleet],
    );
    return rows.map((r) => r.stream_id);
  }
}
