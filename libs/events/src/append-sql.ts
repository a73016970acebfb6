/**
 * The three shapes of the single append statement, one per kind of expected version. Each bumps
 * `streams.version` only when the expectation holds and inserts the batch from arrays (unnest),
 * joined to that bump: no bump, no rows, so a conflict writes nothing.
 *
 * Parameters: $1 stream id, $2 event count, $3..$7 event columns as arrays, $8 variant-specific.
 */
const insertBatch = `
appended AS (
  INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
  SELECT $1, bumped.version - $2::int + e.ord, e.event_id, e.type, e.schema_version, e.data, e.metadata
  FROM bumped,
       unnest($3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[])
         WITH ORDINALITY AS e(event_id, type, schema_version, data, metadata, ord)
  RETURNING global_position
)
SELECT bumped.version, (SELECT max(global_position) FROM appended)::text AS last_position
FROM bumped`;

export const APPEND_EXPECTING_VERSION = {
  name: "sc_append_expecting_version",
  // $8 = expected version
  text: `WITH bumped AS (
  UPDATE streams SET version = version + $2::int
  WHERE stream_id = $1 AND version = $8::int
  RETURNING version
), ${insertBatch}`,
};

export const APPEND_EXPECTING_NO_STREAM = {
  name: "sc_append_expecting_no_stream",
  // $8 = stream type
  text: `WITH bumped AS (
  INSERT INTO streams (stream_id, stream_type, version) VALUES ($1, $8, $2::int)
  ON CONFLICT (stream_id) DO NOTHING
  RETURNING version
), ${insertBatch}`,
};

export const APPEND_ANY = {
  name: "sc_append_any",
  // $8 = stream type
  text: `WITH bumped AS (
  INSERT INTO streams AS s (stream_id, stream_type, version) VALUES ($1, $8, $2::int)
  ON CONFLICT (stream_id) DO UPDATE SET version = s.version + EXCLUDED.version
  RETURNING version
), ${insertBatch}`,
};
