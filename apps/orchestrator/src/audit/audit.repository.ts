import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import { poolOf } from "@statecast/events";
import type pg from "pg";
import type { DataSource } from "typeorm";
import type { AuditCursor } from "./audit-cursor.js";
import { buildEventPageQuery, type EventFilter } from "./event-filter.js";
import type { EventView } from "./event-view.js";

interface EventRow {
  global_position: string;
  stream_id: string;
  stream_version: number;
  event_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: unknown;
  recorded_at: Date;
  transaction_id: string;
}

function toView(row: EventRow): EventView {
  return {
    globalPosition: row.global_position,
    transactionId: row.transaction_id,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at.toISOString(),
  };
}

export function positionOf(event: EventView): AuditCursor {
  return {
    transactionId: BigInt(event.transactionId),
    globalPosition: BigInt(event.globalPosition),
  };
}

/** Filtered reads over the `events` table in read-all order. */
@Injectable()
export class AuditRepository {
  private readonly pool: pg.Pool;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = poolOf(dataSource);
  }

  async page(
    filter: EventFilter,
    after: AuditCursor | undefined,
    limit: number,
  ): Promise<EventView[]> {
    const { rows } = await this.pool.query<EventRow>(buildEventPageQuery(filter, after, limit));
    return rows.map(toView);
  }

  /** Where a live tail starts: after every event visible now. */
  async head(): Promise<AuditCursor | undefined> {
    const { rows } = await this.pool.query<{ transaction_id: string; global_position: string }>(
      `SELECT transaction_id, global_position FROM events
       WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    const row = rows[0];
    return row
      ? { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) }
      : undefined;
  }
}
