import type { Queryable } from "./postgres-event-store.js";

const STREAM_HEAD = {
  name: "sc_stream_head",
  text: `SELECT s.version, e.event_id FROM streams s
  LEFT JOIN events e ON e.stream_id = s.stream_id AND e.stream_version = $2
  WHERE s.stream_id = $1`,
};

export interface StreamHead {
  /** The stream's version now. */
  version: number;
  /** The id of the event at the version asked about; null when the stream has none there. */
  eventIdAt: string | null;
}

/** See `PostgresEventStore.streamHead`. */
export async function readStreamHead(
  db: Queryable,
  streamId: string,
  atVersion: number,
): Promise<StreamHead | undefined> {
  const { rows } = await db.query<{ version: number; event_id: string | null }>({
    ...STREAM_HEAD,
    values: [streamId, atVersion],
  });
  const row = rows[0];
  return row ? { version: row.version, eventIdAt: row.event_id } : undefined;
}
