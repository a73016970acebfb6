import { isEvent, type RecordedEvent, RevisionEvents } from "@statecast/events";
import type pg from "pg";
import type { Projection } from "../projections/projection.js";

/** `fleet_revisions`: one row per posted revision. */
export const revisionProjection: Projection = {
  name: "orchestrator.fleet-revisions",
  types: ["RevisionPosted"],
  async handle(events: readonly RecordedEvent[], client: pg.ClientBase): Promise<void> {
    for (const event of events) {
      if (!isEvent(event, RevisionEvents.RevisionPosted)) continue;
      const { data } = event;
      await client.query(
        `INSERT INTO fleet_revisions (fleet, number, digest, objects, author, message, posted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (fleet, number) DO NOTHING`,
        [
          data.revision.fleet,
          data.revision.number,
          data.digest,
          JSON.stringify(data.objects),
          data.author,
          data.message,
          event.recordedAt,
        ],
      );
    }
  },
};
