import { eventIdOf } from "./append-encoding.js";
import type { NewEvent } from "./envelope.js";
import { ValidationError } from "./errors.js";
import { validateMetadata } from "./metadata-schema.js";
import type { ExpectedVersion } from "./postgres-event-store.js";
import type { EventRegistry } from "./registry.js";
import { streamTypeOf } from "./stream-id.js";

/** One stream's part of a multi-stream append. */
export interface StreamAppend {
  streamId: string;
  events: readonly NewEvent[];
  expectedVersion: ExpectedVersion;
}

/**
 * Many streams in one statement, all or nothing. The stream rows are locked in id order (so two
 * multi-stream appends never deadlock) and every expectation is checked against the locked rows
 * first; a single refusal leaves every write of the statement out (`ok` is false) and the refused
 * streams come back with why. A stream created concurrently by another transaction makes the
 * streams insert fail on its unique key: the whole statement fails, nothing is written.
 * Events are inserted in input order, so read-all order within the transaction is each stream's
 * version order. `last_transaction_id` keeps per-stream order equal to read-all order (see
 * append-sql.ts).
 *
 * Parameters, built by us rather than node-pg's array serialiser (which regex-escapes every
 * element: in profiles of the gateway's ingestion it was the largest single cost of an append):
 * $1 stream ids and $2 stream types as JSON arrays of strings, $3 expected versions (NULL for
 * "any") and $4 event counts as integer array literals; per event: $5 its stream's index into
 * $1 (1-based), $6 event id, $7 type (array literals of UUIDs and PascalCase names, which need
 * no escaping), $8 schema version, $9 data (one JSON array), $10 the distinct metadata (one JSON
 * array) and $11 each event's index into $10 (0-based), as the single append (append-sql.ts).
 * The stored rows are the same as before: Postgres parses the same JSON texts into jsonb.
 * Fleet: as in append-sql.ts, from each stream's first event here.
 */
export const APPEND_MANY = {
  name: "sc_append_many_v2",
  text: `WITH req AS (
  SELECT * FROM ROWS FROM (jsonb_array_elements_text($1::jsonb), jsonb_array_elements_text($2::jsonb),
                           unnest($3::int[]), unnest($4::int[]))
    WITH ORDINALITY AS r(stream_id, stream_type, expected, n, sidx)
), ev AS (
  SELECT r.stream_id, u.event_id, u.type, u.schema_version, u.data,
         $10::jsonb -> u.metadata_index AS metadata, u.idx
  FROM ROWS FROM (unnest($5::int[]), unnest($6::uuid[]), unnest($7::text[]), unnest($8::int[]),
                  jsonb_array_elements($9::jsonb), unnest($11::int[]))
    WITH ORDINALITY AS u(sidx, event_id, type, schema_version, data, metadata_index, idx)
  JOIN req r ON r.sidx = u.sidx
), firsts AS (
  SELECT DISTINCT ON (stream_id) stream_id,
         coalesce(data ->> 'fleet', data -> 'revision' ->> 'fleet') AS fleet
  FROM ev ORDER BY stream_id, idx
), locked AS (
  SELECT stream_id, version, last_transaction_id FROM streams
  WHERE stream_id = ANY(ARRAY(SELECT stream_id FROM req)) ORDER BY stream_id FOR UPDATE
), refused AS (
  SELECT r.stream_id, l.version, r.expected,
         coalesce(l.last_transaction_id > pg_current_xact_id(), false) AS newer_transaction
  FROM req r LEFT JOIN locked l USING (stream_id)
  WHERE (r.expected IS NOT NULL AND coalesce(l.version, 0) <> r.expected)
     OR l.last_transaction_id > pg_current_xact_id()
), ok AS (
  SELECT NOT EXISTS (SELECT 1 FROM refused) AS ok
), created AS (
  INSERT INTO streams (stream_id, stream_type, version, last_transaction_id, fleet)
  SELECT r.stream_id, r.stream_type, r.n, pg_current_xact_id(), f.fleet
  FROM req r LEFT JOIN firsts f USING (stream_id)
  WHERE (SELECT ok FROM ok) AND NOT EXISTS (SELECT 1 FROM locked l WHERE l.stream_id = r.stream_id)
  RETURNING stream_id, version, fleet
), bumped AS (
  UPDATE streams s SET version = s.version + r.n, last_transaction_id = pg_current_xact_id(),
    fleet = coalesce(s.fleet, f.fleet)
  FROM req r JOIN locked l USING (stream_id) LEFT JOIN firsts f USING (stream_id)
  WHERE (SELECT ok FROM ok) AND s.stream_id = r.stream_id
  RETURNING s.stream_id, s.version, s.fleet
), heads AS (
  SELECT * FROM created UNION ALL SELECT * FROM bumped
), appended AS (
  INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata, fleet)
  SELECT e.stream_id, h.version - r.n + e.ord::int, e.event_id, e.type, e.schema_version, e.data, e.metadata,
         coalesce(e.data ->> 'fleet', e.data -> 'revision' ->> 'fleet', h.fleet)
  FROM (
    SELECT ev.*, row_number() OVER (PARTITION BY ev.stream_id ORDER BY ev.idx) AS ord FROM ev
  ) e
  JOIN heads h ON h.stream_id = e.stream_id
  JOIN req r ON r.stream_id = e.stream_id
  ORDER BY e.idx
  RETURNING global_position
)
SELECT (SELECT ok FROM ok) AS ok,
       (SELECT coalesce(json_agg(json_build_object('stream_id', h.stream_id, 'version', h.version)), '[]') FROM heads h) AS heads,
       (SELECT coalesce(json_agg(x), '[]') FROM refused x) AS refused,
       (SELECT max(global_position) FROM appended)::text AS last_position`,
};

export interface AppendManyRow {
  ok: boolean;
  heads: { stream_id: string; version: number }[];
  refused: {
    stream_id: string;
    version: number | null;
    expected: number | null;
    newer_transaction: boolean;
  }[];
  last_position: string | null;
}

/**
 * Validates every stream and event (before any I/O) and builds the statement's parameters. Each
 * parameter's text is built by appending to one string as the events go by (no per-event arrays
 * and no `join`): in profiles of a backlog drain, the arrays and their joins (the JSON ones at
 * ~1 µs an element on Node 20) were a fifth of this function, and garbage besides.
 */
export function appendManyParameters(
  registry: EventRegistry,
  appends: readonly StreamAppend[],
): { name: string; text: string; values: string[] } {
  if (appends.length === 0) throw new ValidationError("appendMany needs at least one stream");
  const seen = new Set<string>();
  const streamIds: string[] = [];
  let streamTypes = "[";
  let expected = "{";
  let counts = "{";
  let eventStreams = "{";
  let eventIds = "{";
  let eventTypes = "{";
  let schemaVersions = "{";
  let data = "[";
  let metadata = "[";
  let metadataIndex = "{";
  let events = 0;
  let distinctMetadata = 0;
  let lastMetadata: unknown;
  for (const { streamId, events: streamEvents, expectedVersion } of appends) {
    if (seen.has(streamId))
      throw new ValidationError(`appendMany names stream ${streamId} more than once`);
    seen.add(streamId);
    if (streamEvents.length === 0) throw new ValidationError(`nothing to append to ${streamId}`);
    const s = streamIds.push(streamId); // the stream's 1-based index into $1
    const sep = s === 1 ? "" : ",";
    streamTypes += sep + JSON.stringify(streamTypeOf(streamId));
    const wanted = expectedNumber(streamId, expectedVersion);
    expected += sep + (wanted === null ? "NULL" : String(wanted));
    counts += sep + streamEvents.length;
    for (const event of streamEvents) {
      const valid = registry.validate(event.type, event.data);
      const esep = events === 0 ? "" : ",";
      events++;
      eventStreams += esep + s;
      // UUIDs (checked by eventIdOf) and PascalCase type names need no escaping; quoted so that a
      // type named "NULL" stays a string.
      eventIds += `${esep}"${eventIdOf(event)}"`;
      eventTypes += `${esep}"${valid.type}"`;
      schemaVersions += esep + valid.schemaVersion;
      data += esep + JSON.stringify(valid.data);
      if (distinctMetadata === 0 || event.metadata !== lastMetadata) {
        const msep = distinctMetadata === 0 ? "" : ",";
        metadata += msep + JSON.stringify(validateMetadata(event.type, event.metadata));
        distinctMetadata++;
        lastMetadata = event.metadata;
      }
      metadataIndex += esep + (distinctMetadata - 1);
    }
  }
  return {
    ...APPEND_MANY,
    values: [
      JSON.stringify(streamIds),
      `${streamTypes}]`,
      `${expected}}`,
      `${counts}}`,
      `${eventStreams}}`,
      `${eventIds}}`,
      `${eventTypes}}`,
      `${schemaVersions}}`,
      `${data}]`,
      `${metadata}]`,
      `${metadataIndex}}`,
    ],
  };
}

function expectedNumber(streamId: string, expected: ExpectedVersion): number | null {
  if (expected === "any") return null;
  if (expected === "no_stream") return 0;
  if (!Number.isSafeInteger(expected) || expected < 0)
    throw new ValidationError(
      `expected version of ${streamId} must be "any", "no_stream" or a version ≥ 0 (got ${expected})`,
    );
  return expected;
}

/** One line per refused stream: what it is at and what was expected. */
export function describeRefusals(refused: AppendManyRow["refused"]): string {
  return refused
    .map((r) => {
      if (r.newer_transaction)
        return `stream ${r.stream_id} was last appended by a transaction newer than this one`;
      const actual = r.version === null ? "does not exist" : `is at version ${r.version}`;
      const wanted = r.expected === 0 ? "not to exist" : `to be at version ${r.expected}`;
      return `stream ${r.stream_id} ${actual}, expected ${wanted}`;
    })
    .join("; ");
}
