import type { Migration } from "@statecast/events";
import { VIEW_EVENT_TYPES } from "./view-event-types.js";

const types = VIEW_EVENT_TYPES.map((type) => `'${type}'`).join(", ");

/**
 * The gateway's own view (`GatewayViewEvent`), filled from SC_EVENTS. A system upgraded to this
 * release already holds events older than SC_EVENTS keeps (7 days): they are copied once, here,
 * from the record when it is in the same database; the consumer then adds the rest (by event id,
 * so an event both copied and delivered is kept once).
 */
export const gatewayViewMigrations: readonly Migration[] = [
  {
    id: "gateway-0003-view",
    timestamp: 1796500000043,
    sql: `
CREATE TABLE gateway_view_events (
  event_id        uuid PRIMARY KEY,
  stream_id       text NOT NULL,
  stream_version  integer NOT NULL,
  type            text NOT NULL,
  schema_version  integer NOT NULL,
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL,
  global_position bigint NOT NULL,
  recorded_at     timestamptz NOT NULL
);
CREATE INDEX gateway_view_events_by_stream ON gateway_view_events (stream_id, stream_version);
CREATE INDEX gateway_view_pending_by_fleet ON gateway_view_events ((data ->> 'fleet'))
  WHERE type = 'DeviceEnrolled' AND data ->> 'enrolledWith' = 'approval';
CREATE INDEX gateway_view_revisions_by_digest ON gateway_view_events ((data ->> 'digest'))
  WHERE type = 'RevisionPosted';
DO $$ BEGIN
  IF to_regclass('events') IS NOT NULL THEN
    INSERT INTO gateway_view_events
    SELECT event_id, stream_id, stream_version, type, schema_version, data, metadata,
           global_position, recorded_at
      FROM events WHERE type IN (${types})
    ON CONFLICT (event_id) DO NOTHING;
  END IF;
END $$;`,
  },
];
