import { DiscardPolicy, type JetStreamManager, type StreamConfig } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";

/**
 * Retention backstops of a transport stream. Postgres is the record, so a stream only needs to
 * hold what its consumers have not read yet; these bound it in time and size. Limits only: the
 * retention policy of an existing stream cannot change on nats-server 2.9, and per-message TTL
 * needs a newer server (DESIGN §3).
 */
export interface StreamRetention {
  maxAgeSeconds: number;
  maxBytes: number;
  /** `old`: drop the oldest when full; `new`: refuse new publishes (the publisher retries). */
  discard: "old" | "new";
}

type StreamShape = Pick<StreamConfig, "name" | "subjects" | "duplicate_window" | "num_replicas">;

function limitsOf(retention: StreamRetention) {
  return {
    max_age: nanos(retention.maxAgeSeconds * 1000),
    max_bytes: retention.maxBytes,
    discard: retention.discard === "new" ? DiscardPolicy.New : DiscardPolicy.Old,
  };
}

/**
 * Creates the stream with its retention limits, or brings an existing stream's limits to them
 * (streams created before these limits had none). Safe when replicas race: the loser of a create
 * finds the stream and updates it; updating to the same limits twice changes nothing.
 */
export async function ensureStreamWithRetention(
  jsm: JetStreamManager,
  shape: StreamShape,
  retention: StreamRetention,
): Promise<"created" | "updated" | "unchanged"> {
  const limits = limitsOf(retention);
  const existing = await jsm.streams.info(shape.name).catch(() => undefined);
  if (!existing) {
    const created = await jsm.streams
      .add({ ...shape, ...limits })
      .then(() => true)
      .catch(async (error: unknown) => {
        // Another replica may have created it between our info and add.
        await jsm.streams.info(shape.name).catch(() => {
          throw error;
        });
        return false;
      });
    if (created) return "created";
  }
  const current = existing ?? (await jsm.streams.info(shape.name));
  const { max_age, max_bytes, discard } = current.config;
  if (max_age === limits.max_age && max_bytes === limits.max_bytes && discard === limits.discard) {
    return "unchanged";
  }
  await jsm.streams.update(shape.name, limits);
  return "updated";
}
