import { randomUUID } from "node:crypto";
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
 * Parameters: $1..$4 per stream (id, type, expected version or null for "any", event count),
 * $5..$10 per event (stream id, event id, type, schema version, data, metadata).
 * Fleet: as in append-sql.ts, from each stream's first event here.
 */
export const APPEND_MANY = {
  name: "sc_append_many",
  text: `WITH req AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[]) AS r(stream_id, stream_type, expected, n)
), firsts AS (
  SELECT DISTINCT ON (u.stream_id) u.stream_id,
         coalesce(u.d ->> 'fleet', u.d -> 'revision' ->> 'fleet') AS fleet
  FROM unnest($5::text[], $9::jsonb[]) WITH ORDINALITY AS u(stream_id, d, idx)
  ORDER BY u.stream_id, u.idx
), locked AS (
  SELECT stream_id, version, last_transaction_id FROM streams
  WHERE stream_id = ANY($1::text[]) ORDER BY stream_id FOR UPDATE
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
    SELECT u.*, row_number() OVER (PARTITION BY u.stream_id ORDER BY u.idx) AS ord
    FROM unnest($5::text[], $6::uuid[], $7::text[], $8::int[], $9::jsonb[], $10::jsonb[])
      WITH ORDINALITY AS u(stream_id, event_id, type, schema_version, data, metadata, idx)
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

/** Validates every stream and event (before any I/O) and builds the statement's parameters. */
export function appendManyParameters(
  registry: EventRegistry,
  appends: readonly StreamAppend[],
): { name: string; text: string; values: unknown[] } {
  if (appends.length === 0) throw new ValidationError("appendMany needs at least one stream");
  const seen = new Set<string>();
  const streams = { ids: [] as string[], types: [] as string[], expected: [] as (number | null)[] };
  const counts: number[] = [];
  const ev = {
    streams: [] as string[],
    ids: [] as string[],
    types: [] as string[],
    versions: [] as number[],
    data: [] as string[],
    metadata: [] as string[],
  };
  let lastMetadata: unknown;
  let lastMetadataJson = "";
  for (const { streamId, events, expectedVersion } of appends) {
    if (seen.has(streamId))
      throw new ValidationError(`appendMany names stream ${streamId} more than once`);
    seen.add(streamId);
    if (events.length === 0) throw new ValidationError(`nothing to append to ${streamId}`);
    streams.ids.push(streamId);
    streams.types.push(streamTypeOf(streamId));
    streams.expected.push(expectedNumber(streamId, expectedVersion));
    counts.push(events.length);
    for (const event of events) {
      const valid = registry.validate(event.type, event.data);
      ev.streams.push(streamId);
      ev.ids.push(event.eventId ?? randomUUID());
      ev.types.push(valid.type);
      ev.versions.push(valid.schemaVersion);
      ev.data.push(JSON.stringify(valid.data));
      if (event.metadata !== lastMetadata) {
        lastMetadataJson = JSON.stringify(validateMetadata(event.type, event.metadata));
        lastMetadata = event.metadata;
      }
      ev.metadata.push(lastMetadataJson);
    }
  }
  return {
    ...APPEND_MANY,
    values: [
      streams.ids,
      streams.types,
      streams.expected,
      counts,
      ev.streams,
      ev.ids,
      ev.types,
      ev.versions,
      ev.data,
      ev.metadata,
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
