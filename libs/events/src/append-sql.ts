/**
 * The three shapes of the single append statement, one per kind of expected version. Each bumps
 * `streams.version` only when the expectation holds and inserts the batch from arrays (unnest),
 * joined to that bump: no bump, no rows, so a conflict writes nothing.
 *
 * Read-all walks (transaction_id, global_position). For that order to be each stream's version
 * order, a stream's appends must come from non-decreasing transaction ids; `last_transaction_id`
 * enforces it. A transaction that took its id early and appends after a newer one wrote to the
 * stream is refused (zero rows) rather than recorded "in the past" of that stream.
 *
 * Parameters: $1 stream id, $2 event count, $3 event ids, $4 types, $5 schema versions (array
 * literals), $6 data (one JSON array), $7 distinct metadata (JSON array), $8 each event's index
 * into $7, $9 variant-specific. See append-encoding.ts.
 *
 * Fleet (the audit filter's column, DESIGN §2): an event belongs to the fleet its data names
 * (`fleet`, `revision.fleet`), else to its stream's, which the first batch naming one sets.
 */
/** The fleet the batch's first event names, if any. */
const batchFleet = "coalesce($6::jsonb -> 0 ->> 'fleet', $6::jsonb -> 0 -> 'revision' ->> 'fleet')";

const insertBatch = `
appended AS (
  INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata, fleet)
  SELECT $1, bumped.version - $2::int + e.ord, e.event_id, e.type, e.schema_version, e.data,
         $7::jsonb -> e.metadata_index,
         coalesce(e.data ->> 'fleet', e.data -> 'revision' ->> 'fleet', bumped.fleet)
  FROM bumped,
       ROWS FROM (unnest($3::uuid[]), unnest($4::text[]), unnest($5::int[]),
                  jsonb_array_elements($6::jsonb), unnest($8::int[]))
         WITH ORDINALITY AS e(event_id, type, schema_version, data, metadata_index, ord)
  ORDER BY e.ord
  RETURNING global_position
)
SELECT bumped.version, (SELECT max(global_position) FROM appended)::text AS last_position
FROM bumped`;

export const APPEND_EXPECTING_VERSION = {
  name: "sc_append_expecting_version",
  // $9 = expected version
  text: `WITH bumped AS (
  UPDATE streams SET version = version + $2::int, last_transaction_id = pg_current_xact_id(),
    fleet = coalesce(fleet, ${batchFleet})
  WHERE stream_id = $1 AND version = $9::int AND last_transaction_id <= pg_current_xact_id()
  RETURNING version, fleet
), ${insertBatch}`,
};

export const APPEND_EXPECTING_NO_STREAM = {
  name: "sc_append_expecting_no_stream",
  // $9 = stream type
  text: `WITH bumped AS (
  INSERT INTO streams (stream_id, stream_type, version, last_transaction_id, fleet)
  VALUES ($1, $9, $2::int, pg_current_xact_id(), ${batchFleet})
  ON CONFLICT (stream_id) DO NOTHING
  RETURNING version, fleet
), ${insertBatch}`,
};

export const APPEND_ANY = {
  name: "sc_append_any",
  // $9 = stream type
  text: `WITH bumped AS (
  INSERT INTO streams AS s (stream_id, stream_type, version, last_transaction_id, fleet)
  VALUES ($1, $9, $2::int, pg_current_xact_id(), ${batchFleet})
  ON CONFLICT (stream_id) DO UPDATE
    SET version = s.version + EXCLUDED.version, last_transaction_id = EXCLUDED.last_transaction_id,
      fleet = coalesce(s.fleet, EXCLUDED.fleet)
    WHERE s.last_transaction_id <= EXCLUDED.last_transaction_id
  RETURNING version, fleet
), ${insertBatch}`,
};
