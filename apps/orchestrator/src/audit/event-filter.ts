import type { AuditCursor } from "./audit-cursor.js";

/** What `GET /v1/events` can narrow the history by; every field is optional and ANDed. */
export interface EventFilter {
  streamId?: string;
  deviceId?: string;
  /** Events of the rollout's stream and events elsewhere that name it (`data.rolloutId`). */
  rolloutId?: string;
  /** Events naming the fleet (`data.fleet`, `data.revision.fleet`) and its devices' events. */
  fleet?: string;
  types?: string[];
  actor?: string;
  correlationId?: string;
  /** Inclusive lower bound on `recorded_at`. */
  from?: Date;
  /** Exclusive upper bound on `recorded_at`. */
  to?: Date;
}

export interface SqlQuery {
  text: string;
  values: unknown[];
}

export const EVENT_COLUMNS =
  "global_position, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, transaction_id";

/**
 * One page of events matching `filter`, after `cursor`, in read-all order. Only rows of
 * transactions older than the oldest one still running are visible (DESIGN §2): a transaction
 * that commits late then lands after every cursor handed out, so paging never skips it.
 */
export function buildEventPageQuery(
  filter: EventFilter,
  after: AuditCursor | undefined,
  limit: number,
): SqlQuery {
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const where = ["transaction_id < pg_snapshot_xmin(pg_current_snapshot())"];
  if (after) {
    where.push(
      `(transaction_id, global_position) > (${param(after.transactionId.toString())}::xid8, ${param(after.globalPosition.toString())}::bigint)`,
    );
  }
  if (filter.streamId !== undefined) where.push(`stream_id = ${param(filter.streamId)}`);
  if (filter.deviceId !== undefined)
    where.push(`stream_id = ${param(`device:${filter.deviceId}`)}`);
  if (filter.rolloutId !== undefined) {
    const id = param(filter.rolloutId);
    // `data ? key` repeats the partial indexes' predicate so the planner can use them.
    where.push(
      `(stream_id = 'rollout:' || ${id} OR (data ? 'rolloutId' AND data->>'rolloutId' = ${id}))`,
    );
  }
  if (filter.fleet !== undefined) {
    const fleet = param(filter.fleet);
    where.push(
      `((data ? 'fleet' AND data->>'fleet' = ${fleet}) OR (data ? 'revision' AND data->'revision'->>'fleet' = ${fleet}) OR stream_id = ANY(ARRAY(SELECT 'device:' || device_id FROM device_registry WHERE fleet = ${fleet})))`,
    );
  }
  if (filter.types !== undefined && filter.types.length > 0) {
    where.push(`type = ANY(${param(filter.types)}::text[])`);
  }
  if (filter.actor !== undefined) where.push(`metadata->>'actor' = ${param(filter.actor)}`);
  if (filter.correlationId !== undefined) {
    where.push(`metadata->>'correlationId' = ${param(filter.correlationId)}`);
  }
  if (filter.from !== undefined) where.push(`recorded_at >= ${param(filter.from)}`);
  if (filter.to !== undefined) where.push(`recorded_at < ${param(filter.to)}`);
  // With a time bound, the window is what narrows the rows: the row-valued ORDER BY matches no
  // index, so the planner reads the window through recorded_at and sorts it, instead of walking the
  // commit-order index from the cursor hoping to meet the window soon (a scan of the whole past).
  const order =
    filter.from || filter.to
      ? "(transaction_id, global_position)"
      : "transaction_id, global_position";
  const text = `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT ${param(limit)}`;
  return { text, values };
}
