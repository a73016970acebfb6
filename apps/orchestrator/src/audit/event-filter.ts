import type { AuditCursor } from "./audit-cursor.js";

/** What `GET /v1/events` can narrow the history by; every field is optional and ANDed. */
export interface EventFilter {
  streamId?: string;
  deviceId?: string;
  /** Events of the rollout's stream and events elsewhere that name it (`data.rolloutId`). */
  rolloutId?: string;
  /**
   * Events naming the fleet (`data.fleet`, `data.revision.fleet`) and the other events of streams
   * that belong to it (its devices', rollouts', revisions'): `events.fleet` (libs/events schema.ts).
   */
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
  const oneStream = filter.streamId !== undefined || filter.deviceId !== undefined;
  // The rollout's own stream, and events elsewhere naming it (`data ? key` repeats the partial
  // index's predicate so the planner can use it). Two branches, merged below: one OR over both
  // made Postgres fetch and sort every event naming the rollout (8 s for a 50,000-event rollout
  // in a 10 M-event history) where each branch alone reads one page in order.
  let rollout: { own: string; refs: string } | undefined;
  if (filter.rolloutId !== undefined) {
    const id = param(filter.rolloutId);
    const own = `stream_id = 'rollout:' || ${id}`;
    rollout = { own, refs: `data ? 'rolloutId' AND data->>'rolloutId' = ${id} AND NOT (${own})` };
  }
  // `fleet = $x` would let the planner drop `fleet` from the ORDER BY (a constant) and walk the
  // commit-order index filtering rows, which for a fleet whose events are recent means reading the
  // whole past first. Said as a one-value range, the ORDER BY below keeps `fleet` first, and only
  // events_by_fleet_in_commit_order yields that order: one bounded range scan from the cursor.
  let fleetOrder = "";
  if (filter.fleet !== undefined) {
    const fleet = param(filter.fleet);
    where.push(`fleet >= ${fleet} AND fleet <= ${fleet}`);
    fleetOrder = "fleet, ";
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
  const limitParam = param(limit);
  // The row-valued ORDER BY matches no index, so Postgres reads the narrowing rows and sorts them
  // instead of walking the commit-order index from the cursor hoping to meet them soon (a scan of
  // the whole past when they are far, as a time window or a stream written late in the history
  // is; the planner cannot know a stream's events are clustered in time). With a time bound the
  // window is read through recorded_at; with a stream it is that stream's events (a device's
  // history, a rollout's own stream), so the cost is bounded by the window or the stream.
  const timeBound = filter.from !== undefined || filter.to !== undefined;
  const select = (clauses: string[], stream: boolean) =>
    `SELECT ${EVENT_COLUMNS} FROM events WHERE ${clauses.join(" AND ")} ORDER BY ${timeBound || stream ? "(transaction_id, global_position)" : `${fleetOrder}transaction_id, global_position`} LIMIT ${limitParam}`;
  if (!rollout) return { text: select(where, oneStream), values };
  const own = select([...where, rollout.own], true);
  const refs = select([...where, rollout.refs], oneStream);
  const text = `SELECT ${EVENT_COLUMNS} FROM ((${own}) UNION ALL (${refs})) AS matches ORDER BY transaction_id, global_position LIMIT ${limitParam}`;
  return { text, values };
}
