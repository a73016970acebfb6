import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import type { RevisionView } from "@statecast/contract/http";
import { poolOf } from "@statecast/events";
import type pg from "pg";
import type { DataSource } from "typeorm";

export type { RevisionView };

interface RevisionRow {
  fleet: string;
  number: number;
  digest: string;
  objects: string[];
  author: string;
  message: string;
  posted_at: Date;
}

const COLUMNS = "fleet, number, digest, objects, author, message, posted_at";

/** Reads `fleet_revisions` and allocates revision numbers. */
@Injectable()
export class RevisionRepository {
  private readonly pool: pg.Pool;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = poolOf(dataSource);
  }

  /**
   * The highest revision number the fleet's streams hold. Read from `streams` (written in the
   * append's own transaction), not from the projection, which may lag behind.
   */
  async highestNumber(fleet: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT coalesce(max(split_part(stream_id, ':', 3)::int), 0) AS n FROM streams
       WHERE stream_type = 'revision' AND split_part(stream_id, ':', 2) = $1`,
      [fleet],
    );
    return rows[0]?.n ?? 0;
  }

  async find(fleet: string, number: number): Promise<RevisionView | undefined> {
    const { rows } = await this.pool.query<RevisionRow>(
      `SELECT ${COLUMNS} FROM fleet_revisions WHERE fleet = $1 AND number = $2`,
      [fleet, number],
    );
    return rows[0] ? toView(rows[0]) : undefined;
  }

  async list(fleet: string, after: number, limit: number): Promise<RevisionView[]> {
    const { rows } = await this.pool.query<RevisionRow>(
      `SELECT ${COLUMNS} FROM fleet_revisions WHERE fleet = $1 AND number > $2 ORDER BY number LIMIT $3`,
      [fleet, after, limit],
    );
    return rows.map(toView);
  }
}

function toView(row: RevisionRow): RevisionView {
  return {
    fleet: row.fleet,
    number: row.number,
    digest: row.digest,
    objects: row.objects,
    author: row.author,
    message: row.message,
    postedAt: row.posted_at.toISOString(),
  };
}
