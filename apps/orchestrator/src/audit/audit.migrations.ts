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
// serves in read-all order: Postgres walked the whole history. Each event now carries the fleet it
// belongs to: the one its data names (`fleet`, `revision.fleet`), else that of the event before it
// in its stream (a device's events follow its DeviceEnrolled, a rollout's its RolloutCreated). A
// trigger sets it on insert, so every writer (orchestrator, gateway, bulk loaders) fills it without
// knowing; the lookup is one probe of the (stream_id, stream_version) key. Existing events are
// backfilled here, so the filter reads them the same. One partial index in read-all order serves
// the filter and replaces the two expression indexes it used to try.
const eventFleet = `
ALTER TABLE events ADD COLUMN fleet text;

CREATE FUNCTION events_fleet_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.fleet IS NULL THEN
    NEW.fleet := coalesce(NEW.data ->> 'fleet', NEW.data -> 'revision' ->> 'fleet');
    IF NEW.fleet IS NULL AND NEW.stream_version > 1 THEN
      SELECT e.fleet INTO NEW.fleet FROM events e
      WHERE e.stream_id = NEW.stream_id AND e.stream_version = NEW.stream_version - 1;
    END IF;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER events_fleet BEFORE INSERT ON events
  FOR EACH ROW EXECUTE FUNCTION events_fleet_of_row();

UPDATE events SET fleet = coalesce(data ->> 'fleet', data -> 'revision' ->> 'fleet')
WHERE coalesce(data ->> 'fleet', data -> 'revision' ->> 'fleet') IS NOT NULL;
UPDATE events e SET fleet = inherited.fleet
FROM (
  SELECT u.global_position,
         (SELECT p.fleet FROM events p
          WHERE p.stream_id = u.stream_id AND p.stream_version < u.stream_version
            AND p.fleet IS NOT NULL
          ORDER BY p.stream_version DESC LIMIT 1) AS fleet
  FROM events u WHERE u.fleet IS NULL
) AS inherited
WHERE e.global_position = inherited.global_position AND inherited.fleet IS NOT NULL;

CREATE INDEX events_by_fleet_in_commit_order ON events (fleet, transaction_id, global_position)
  WHERE fleet IS NOT NULL;
DROP INDEX IF EXISTS events_by_fleet;
DROP INDEX IF EXISTS events_by_revision_fleet;
`;

/** Audit-query indexes; list them after the orchestrator's read models. */
export const auditMigrations: readonly Migration[] = [
  { id: "orchestrator-audit-0001-drop-duplicate-filter-indexes", sql: dropDuplicateFilterIndexes },
  { id: "orchestrator-audit-0002-event-fleet", sql: eventFleet },
];
