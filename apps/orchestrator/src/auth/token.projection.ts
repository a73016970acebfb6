import type { RecordedEvent } from "@statecast/events";
import type pg from "pg";
import type { Projection } from "../projections/projection.js";

/** `api_tokens`: one row per token, its hash and role, revoked_at once revoked. */
export const tokenProjection: Projection = {
  name: "orchestrator.api-tokens",
  types: ["ApiTokenCreated", "ApiTokenRevoked"],
  async handle(events: readonly RecordedEvent[], client: pg.ClientBase): Promise<void> {
    for (const event of events) {
      const data = event.data as {
        tokenId: string;
        name: string;
        role: string;
        secretHash: string;
      };
      if (event.type === "ApiTokenCreated") {
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
      } else if (event.type === "ApiTokenRevoked") {
        await client.query(
          "UPDATE api_tokens SET revoked_at = $2 WHERE token_id = $1 AND revoked_at IS NULL",
          [data.tokenId, event.recordedAt],
        );
      }
    }
  },
};
