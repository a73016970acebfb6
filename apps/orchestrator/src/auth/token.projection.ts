import { isEvent, type RecordedEvent } from "@statecast/events";
import type pg from "pg";
import type { Projection } from "../projections/projection.js";
import { ApiTokenCreated, ApiTokenRevoked } from "./token.catalog.js";

/** `api_tokens`: one row per token, its hash and role, revoked_at once revoked. */
export const tokenProjection: Projection = {
  name: "orchestrator.api-tokens",
  types: ["ApiTokenCreated", "ApiTokenRevoked"],
  async handle(events: readonly RecordedEvent[], client: pg.ClientBase): Promise<void> {
    for (const event of events) {
      if (isEvent(event, ApiTokenCreated)) {
        const { data } = event;
        await client.query(
          `INSERT INTO api_tokens (token_id, name, role, secret_hash, created_at, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (token_id) DO NOTHING`,
          [
            data.tokenId,
            data.name,
            data.role,
            data.secretHash,
            event.recordedAt,
            event.metadata.actor,
          ],
        );
      } else if (isEvent(event, ApiTokenRevoked)) {
        const { data } = event;
        await client.query(
          "UPDATE api_tokens SET revoked_at = $2 WHERE token_id = $1 AND revoked_at IS NULL",
          [data.tokenId, event.recordedAt],
        );
      }
    }
  },
};
