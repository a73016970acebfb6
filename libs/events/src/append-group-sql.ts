/**
 * Group commit: the appends of several callers, each to its own stream, in one statement and one
 * transaction, each with its own expectation. Unlike appendMany (all or nothing), a stream whose
 * expectation fails is simply left out: it gets no head row, writes nothing, and its caller's
 * append is retried alone (which explains the refusal) while the others commit.
 *
 * - Stream rows are locked in id order with SKIP LOCKED: a row another transaction holds (a
 *   processor's open transaction, say) is not waited for, so one stalled stream never holds up a
 *   whole group and no lock cycle can form through it; that append is retried alone, and waits
 *   there as it always did.
 * - Only streams absent from the snapshot are created (ON CONFLICT DO NOTHING: a concurrent
 *   creator wins and this append is retried alone).
 * - `last_transaction_id` keeps per-stream order equal to read-all order (see append-sql.ts).
 * - Events are inserted in input order; each stream appears once per group, so read-all order
 *   within the transaction is each stream's version order.
 *
 * Parameters, per stream: $1 ids, $2 types, $3 expected version (null: any; 0: no stream),
 * $4 event counts. Per event (array literals, see append-encoding.ts): $5 stream slot (1-based
 * index into $1), $6 event id, $7 type, $8 schema version, $9 data (one JSON array),
 * $10 distinct metadata (JSON array), $11 index into $10, $12 version offset within its stream.
 * One row per stream, in slot order; `version` is null for a stream left out.
 * Fleet: as in append-sql.ts, from each stream's first event in the group.
 */
export const APPEND_GROUP = {
  name: "sc_append_group",
  text: `WITH req AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[])
    WITH ORDINALITY AS r(stream_id, stream_type, expected, n, slot)
), firsts AS (
  SELECT DISTINCT ON (x.slot) x.slot,
         coalesce(x.d ->> 'fleet', x.d -> 'revision' ->> 'fleet') AS fleet
  FROM ROWS FROM (unnest($5::int[]), jsonb_array_elements($9::jsonb)) WITH ORDINALITY AS x(slot, d, ord)
  ORDER BY x.slot, x.ord
), existing AS (
  SELECT stream_id FROM streams WHERE stream_id = ANY($1::text[])
), locked AS (
  SELECT stream_id, version, last_transaction_id FROM streams
  WHERE stream_id = ANY($1::text[]) ORDER BY stream_id FOR UPDATE SKIP LOCKED
), created AS (
  INSERT INTO streams (stream_id, stream_type, version, last_transaction_id, fleet)
  SELECT r.stream_id, r.stream_type, r.n, pg_current_xact_id(), f.fleet
  FROM req r LEFT JOIN firsts f ON f.slot = r.slot
  WHERE coalesce(r.expected, 0) = 0
    AND NOT EXISTS (SELECT 1 FROM existing x WHERE x.stream_id = r.stream_id)
  ORDER BY r.stream_id
  ON CONFLICT (stream_id) DO NOTHING
  RETURNING stream_id, version, fleet
), bumped AS (
  UPDATE streams s SET version = s.version + r.n, last_transaction_id = pg_current_xact_id(),
    fleet = coalesce(s.fleet, f.fleet)
  FROM req r JOIN locked l ON l.stream_id = r.stream_id LEFT JOIN firsts f ON f.slot = r.slot
  WHERE s.stream_id = r.stream_id
    AND (r.expected IS NULL OR l.version = r.expected)
    AND l.last_transaction_id <= pg_current_xact_id()
  RETURNING s.stream_id, s.version, s.fleet
), heads AS (
  SELECT * FROM created UNION ALL SELECT * FROM bumped
), appended AS (
  INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata, fleet)
  SELECT r.stream_id, h.version - r.n + e.offset_in_stream, e.event_id, e.type, e.schema_version,
         e.data, $10::jsonb -> e.metadata_index,
         coalesce(e.data ->> 'fleet', e.data -> 'revision' ->> 'fleet', h.fleet)
  FROM ROWS FROM (unnest($5::int[]), unnest($6::uuid[]), unnest($7::text[]), unnest($8::int[]),
                  jsonb_array_elements($9::jsonb), unnest($11::int[]), unnest($12::int[]))
         WITH ORDINALITY AS e(slot, event_id, type, schema_version, data, metadata_index,
                              offset_in_stream, ord)
  JOIN req r ON r.slot = e.slot
  JOIN heads h ON h.stream_id = r.stream_id
  ORDER BY e.ord
  RETURNING stream_id, global_position
), last AS (
  SELECT stream_id, max(global_position) AS position FROM appended GROUP BY stream_id
)
SELECT h.version, last.position::text AS last_position
FROM req r LEFT JOIN heads h USING (stream_id) LEFT JOIN last USING (stream_id)
ORDER BY r.slot`,
};

export interface AppendGroupRow {
  version: number | null;
  last_position: string | null;
}
