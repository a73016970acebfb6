import { setTimeout as sleep } from "node:timers/promises";
import { Inject, Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import { poolOf } from "@statecast/events";
import type pg from "pg";
import type { DataSource } from "typeorm";
import {
  PROJECTION_CHECKPOINTS,
  type Projection,
  type ProjectionCheckpoints,
} from "./projection.js";

// The checkpoint covers the event once it is at or past the event's (transaction_id, position).
// Partitioned, every checkpoint asked for must cover it.
const CAUGHT_UP = `SELECT (
  SELECT count(*) FROM events e JOIN processor_checkpoints c ON c.processor_name = ANY($2::text[])
  WHERE e.global_position = $1
    AND (c.transaction_id, c.global_position) >= (e.transaction_id, e.global_position)
) = cardinality($2::text[]) AS caught_up`;

// The newest event of some types in commit order (the type index answers it with one probe a type).
const NEWEST_OF_TYPES = `SELECT global_position FROM events WHERE type = ANY($1)
ORDER BY transaction_id DESC, global_position DESC LIMIT 1`;

/**
 * Read-your-writes for commands: after appending, wait until a projection has processed the
 * event so the response (and the next request) sees it. Projections run in the background and
 * wake on NOTIFY, so this is normally a few milliseconds.
 */
@Injectable()
export class ProjectionWaiter {
  private readonly pool: pg.Pool;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(PROJECTION_CHECKPOINTS) private readonly checkpointsOf: ProjectionCheckpoints,
  ) {
    this.pool = poolOf(dataSource);
  }

  /** Waits for the event at `version` of `streamId` (as returned by handleCommand). */
  async waitForStreamVersion(projection: string, streamId: string, version: number): Promise<void> {
    if (version === 0) return;
    const { rows } = await this.pool.query<{ global_position: string }>(
      "SELECT global_position FROM events WHERE stream_id = $1 AND stream_version = $2",
      [streamId, version],
    );
    const row = rows[0];
    if (!row) throw new Error(`no event at version ${version} of ${streamId}`);
    await this.waitFor(projection, BigInt(row.global_position), streamId);
  }

  /**
   * Waits until `projection` has folded every event of its types committed before the call
   * (another service's appends included): a read after it sees all of them.
   */
  async waitForNewest(projection: Pick<Projection, "name" | "types">): Promise<void> {
    const { rows } = await this.pool.query<{ global_position: string }>(NEWEST_OF_TYPES, [
      projection.types,
    ]);
    const newest = rows[0]?.global_position;
    if (newest !== undefined) await this.waitFor(projection.name, BigInt(newest));
  }

  /** Waits for the event at `globalPosition` (of `streamId`, when known: only its partition). */
  async waitFor(
    projection: string,
    globalPosition: bigint,
    streamId?: string,
    timeoutMs = 10_000,
  ): Promise<void> {
    const checkpoints = this.checkpointsOf(projection, streamId);
    const deadline = Date.now() + timeoutMs;
    for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
      const { rows } = await this.pool.query<{ caught_up: boolean }>(CAUGHT_UP, [
        globalPosition.toString(),
        checkpoints,
      ]);
      if (rows[0]?.caught_up) return;
      if (Date.now() > deadline) {
        throw new Error(
          `projection ${projection} did not reach event ${globalPosition} within ${timeoutMs} ms`,
        );
      }
      await sleep(delay);
    }
  }
}
