import type { Migration } from "@statecast/events";

// events-0004 (libs/events) and orchestrator-0003 both created (type, transaction_id,
// global_position) and ((metadata ->> 'actor'), transaction_id, global_position): the same two
// B-trees twice, each paid on every append and ~10 % of the table's size at 10 M events. The event
// store's copies (events_by_type, events_by_actor) stay; the orchestrator's go.
const dropDuplicateFilterIndexes = `
DROP INDEX IF EXISTS events_by_type_in_commit_order;
DROP INDEX IF EXISTS events_by_actor_in_commit_order;
`;

/** Audit-query indexes; list them after the orchestrator's read models. */
export const auditMigrations: readonly Migration[] = [
  { id: "orchestrator-audit-0001-drop-duplicate-filter-indexes", sql: dropDuplicateFilterIndexes },
];
