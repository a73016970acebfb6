import { EnrollmentEvents, isEvent, type RecordedEvent } from "@statecast/events";
import type pg from "pg";
import type { Projection } from "../projections/projection.js";

const STREAM_PREFIX = "enrollment-token:";

/**
 * `enrollment_tokens`: one row per token, as `foldEnrollmentToken` folds its stream (uses
 * counted, revokedAt once revoked). The checkpoint commits with the rows, so each use is counted
 * once.
 */
export const enrollmentTokenProjection: Projection = {
  name: "orchestrator.enrollment-tokens",
  types: ["EnrollmentTokenCreated", "EnrollmentTokenUsed", "EnrollmentTokenRevoked"],
  async handle(events: readonly RecordedEvent[], client: pg.ClientBase): Promise<void> {
    for (const event of events) {
      const tokenId = event.streamId.slice(STREAM_PREFIX.length);
      if (isEvent(event, EnrollmentEvents.EnrollmentTokenCreated)) {
        const { data } = event;
        await client.query(
          `INSERT INTO enrollment_tokens (token_id, fleet, position, expires_at, max_uses, uses,
             tags, created_at, created_by)
           VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8) ON CONFLICT (token_id) DO NOTHING`,
          [
            data.tokenId,
            data.fleet,
            event.globalPosition.toString(),
            data.expiresAt ?? null,
            data.maxUses ?? null,
            JSON.stringify(data.tags),
            event.metadata.now,
            event.metadata.actor,
          ],
        );
      } else if (event.type === "EnrollmentTokenUsed") {
        await client.query("UPDATE enrollment_tokens SET uses = uses + 1 WHERE token_id = $1", [
          tokenId,
        ]);
      } else if (event.type === "EnrollmentTokenRevoked") {
        await client.query(
          "UPDATE enrollment_tokens SET revoked_at = $2 WHERE token_id = $1 AND revoked_at IS NULL",
          [tokenId, event.metadata.now],
        );
      }
    }
  },
};
