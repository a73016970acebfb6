import type { Migration } from "@statecast/events";

// events-0004 (libs/events) and orchestrator-0003 both created (type, transaction_id,
// global_position) and ((metadata ->> 'actor'), transaction_id, global_position): the same two
// B-trees twice, each paid on every append and ~10 % of the table's size at 10 M events. The event
// store's copies (events_by_type, events_by_actor) stay; the orchestrator's go.
const dropDuplicateFilterIndexes = `
DROP INDEX IF EXISTS events_by_type_in_commit_order;
DROP INDEX IF EXISTS events_by_actor_in_commit_order;
`;

// The audit `fleet=` filter matched three things with an OR (the event names the fleet, its
// revision does, or its stream is one of the fleet's devices per the registry) that no index
// serves in read-all order: Postgres walked the whole history. Events now carry their fleet
// (events-0005-fleet); one partial index in read-all order serves the filter and replaces the two
// expression indexes it used to try.
const eventFleetIndex = `
CREATE INDEX events_by_fleet_in_commit_order ON events (fleet, transaction_id, global_position)
  WHERE fleet IS NOT NULL;
DROP INDEX IF EXISTS events_by_fleet;
DROP INDEX IF EXISTS events_by_revision_fleet;
`;

/** Audit-query indexes; list them after the orchestrator's read models. */
export const auditMigrations: readonly Migration[] = [
  {
    id: "orchestrator-audit-0001-drop-duplicate-filter-indexes",
    timestamp: 1796500000021,
    sql: dropDuplicateFilterIndexes,
  },
  {
    id: "orchestrator-audit-0002-event-fleet-index",
    timestamp: 1796500000022,
    sql: eventFleetIndex,
  },
];
