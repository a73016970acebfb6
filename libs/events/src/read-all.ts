import { ValidationError } from "./errors.js";
import { EVENT_COLUMNS, type EventRow, toRecordedEvent } from "./event-rows.js";
import type { Queryable, ReadAllOptions, ReadAllResult } from "./postgres-event-store.js";

// Only transactions below the snapshot xmin are finished (committed or rolled back), so nothing
// can still appear behind the returned rows: a reader never skips an event committed late.
const VISIBLE_AFTER = `(transaction_id, global_position) > ($1::xid8, $2::bigint)
  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;

const READ_ALL = {
  name: "sc_read_all",
  text: `SELECT ${EVENT_COLUMNS} FROM events WHERE ${VISIBLE_AFTER}
ORDER BY transaction_id, global_position LIMIT $3`,
};

// Scans a window of `limit` events and returns the content of the matching ones only; the
// position still moves past the whole window so a rare type never makes a reader rescan.
const READ_ALL_OF_TYPES = {
  name: "sc_read_all_of_types",
  text: `SELECT global_position, transaction_id, type = ANY($4::text[]) AS wanted,
  stream_id, stream_version, event_id, type, schema_version, recorded_at,
  CASE WHEN type = ANY($4::text[]) THEN data END AS data,
  CASE WHEN type = ANY($4::text[]) THEN metadata END AS metadata
FROM events WHERE ${VISIBLE_AFTER}
ORDER BY transaction_id, global_position LIMIT $3`,
};

export async function readAll(db: Queryable, options: ReadAllOptions): Promise<ReadAllResult> {
  if (!Number.isInteger(options.limit) || options.limit < 1) {
    throw new ValidationError(`read-all limit must be a positive integer (got ${options.limit})`);
  }
  const base = [
    options.after.transactionId.toString(),
    options.after.globalPosition.toString(),
    options.limit,
  ];
  const query = options.types
    ? { ...READ_ALL_OF_TYPES, values: [...base, options.types] }
    : { ...READ_ALL, values: base };
  const { rows } = await db.query<EventRow & { wanted?: boolean }>(query);
  const last = rows.at(-1);
  const position = last
    ? { transactionId: BigInt(last.transaction_id), globalPosition: BigInt(last.global_position) }
    : options.after;
  const wanted = options.types ? rows.filter((r) => r.wanted) : rows;
  return { events: wanted.map(toRecordedEvent), position };
}
