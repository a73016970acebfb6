import type { Migration } from "./migrate.js";

/** Postgres channel on which appends announce themselves (see PostgresEventStore). */
export const EVENTS_CHANNEL = "sc_events_appended";

const createStreamsAndEvents = `
CREATE TABLE streams (
  stream_id   text PRIMARY KEY,
  stream_type text NOT NULL,
  version     integer NOT NULL CHECK (version >= 0)
);

CREATE TABLE events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  stream_id       text NOT NULL REFERENCES streams (stream_id),
  stream_version  integer NOT NULL CHECK (stream_version >= 1),
  event_id        uuid NOT NULL UNIQUE,
  type            text NOT NULL,
  schema_version  integer NOT NULL,
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
  UNIQUE (stream_id, stream_version)
);

-- readAll and every processor walk (transaction_id, global_position); this index makes
-- "after my checkpoint, below the snapshot xmin" a range scan.
CREATE INDEX events_commit_order ON events (transaction_id, global_position);

-- Audit by type (and readAll filtered by type).
CREATE INDEX events_by_type ON events (type, global_position);

-- Time windows for the audit API. recorded_at grows with the table's physical order
-- (append-only), so a BRIN index answers range scans at a fraction of a B-tree's size and
-- insert cost.
CREATE INDEX events_by_recorded_at ON events USING brin (recorded_at) WITH (pages_per_range = 32);

-- "What did this actor do" and "everything in this correlation". Expression B-trees rather than a
-- GIN over the whole metadata: GIN would index every key (now, traceparent: unique per event, so
-- a large index with costly inserts) yet cannot serve ORDER BY position; these two can.
CREATE INDEX events_by_actor ON events ((metadata ->> 'actor'), global_position);
CREATE INDEX events_by_correlation ON events ((metadata ->> 'correlationId'));

-- One row per processor: the last (transaction_id, global_position) it has fully handled.
CREATE TABLE processor_checkpoints (
  processor_name  text PRIMARY KEY,
  transaction_id  xid8 NOT NULL DEFAULT '0',
  global_position bigint NOT NULL DEFAULT 0,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
`;

// The transaction that last appended to the stream: keeps each stream's version order equal to
// read-all order (see append-sql.ts). Rows from before this column get 0, i.e. "long ago".
const addStreamLastTransaction = `
ALTER TABLE streams ADD COLUMN last_transaction_id xid8 NOT NULL DEFAULT '0';
ALTER TABLE streams ALTER COLUMN last_transaction_id DROP DEFAULT;
`;

// The append statement only inserts events joined to the stream row it just bumped, so the
// foreign key guards nothing the statement does not, and its per-row RI check (a lookup and a
// lock per event) showed up in append throughput.
const dropEventsStreamForeignKey = `
ALTER TABLE events DROP CONSTRAINT IF EXISTS events_stream_id_fkey;
`;

// Audit queries filter by type or actor and page in read-all order; with the commit-order key
// after the filter column the index yields rows already sorted (no sort of a whole type's rows).
const filterIndexesInReadAllOrder = `
DROP INDEX IF EXISTS events_by_type;
CREATE INDEX events_by_type ON events (type, transaction_id, global_position);
DROP INDEX IF EXISTS events_by_actor;
CREATE INDEX events_by_actor ON events ((metadata ->> 'actor'), transaction_id, global_position);
`;

// The fleet each event belongs to, for the audit API's `fleet=` filter (an index in read-all order
// serves it; see the orchestrator's audit migrations). The one the event's data names (`fleet`,
// `revision.fleet`), else its stream's: a stream takes the fleet its first event naming one names
// (a device's DeviceEnrolled, a rollout's RolloutCreated, a revision's RevisionPosted). The append
// statements fill both columns as they insert, from the data they already carry: no trigger, no
// extra lookup. Events written before this column are backfilled here.
const fleetColumns = `
ALTER TABLE streams ADD COLUMN fleet text;
ALTER TABLE events ADD COLUMN fleet text;
UPDATE streams s SET fleet = named.fleet
FROM (
  SELECT DISTINCT ON (stream_id) stream_id,
         coalesce(data ->> 'fleet', data -> 'revision' ->> 'fleet') AS fleet
  FROM events
  WHERE coalesce(data ->> 'fleet', data -> 'revision' ->> 'fleet') IS NOT NULL
  ORDER BY stream_id, stream_version
) AS named
WHERE s.stream_id = named.stream_id;
UPDATE events e SET fleet = coalesce(e.data ->> 'fleet', e.data -> 'revision' ->> 'fleet', s.fleet)
FROM streams s
WHERE s.stream_id = e.stream_id
  AND coalesce(e.data ->> 'fleet', e.data -> 'revision' ->> 'fleet', s.fleet) IS NOT NULL;
`;

/** The event store's own migrations; list them first when composing with other packages'. */
export const eventStoreMigrations: readonly Migration[] = [
  {
    id: "events-0001-streams-events-checkpoints",
    timestamp: 1796500000001,
    sql: createStreamsAndEvents,
  },
  {
    id: "events-0002-stream-last-transaction",
    timestamp: 1796500000002,
    sql: addStreamLastTransaction,
  },
  {
    id: "events-0003-drop-events-stream-fk",
    timestamp: 1796500000003,
    sql: dropEventsStreamForeignKey,
  },
  {
    id: "events-0004-filter-indexes-in-read-all-order",
    timestamp: 1796500000004,
    sql: filterIndexesInReadAllOrder,
  },
  { id: "events-0005-fleet", timestamp: 1796500000005, sql: fleetColumns },
];
