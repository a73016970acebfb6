import type pg from "pg";

// 64-bit hash of the name: distinct processors never share a lock by accident.
const TRY_LOCK =
  "SELECT pg_try_advisory_lock(hashtextextended('sc_processor:' || $1, 0)) AS locked";
const UNLOCK = "SELECT pg_advisory_unlock(hashtextextended('sc_processor:' || $1, 0)) AS locked";
// Partitions hold the unpartitioned name's lock shared: a replica still running the processor
// unpartitioned (exclusive) and replicas running it partitioned never work at the same time.
const TRY_FENCE =
  "SELECT pg_try_advisory_lock_shared(hashtextextended('sc_processor:' || $1, 0)) AS locked";
// Held by a replica waiting for a partition it prefers: the replica holding it for now hands it back.
const TRY_CLAIM =
  "SELECT pg_try_advisory_lock(hashtextextended('sc_processor_claim:' || $1, 0)) AS locked";
// Advisory locks on a bigint key show in pg_locks as (classid, objid) = its high and low halves.
const TAKEN_BY_OTHERS = `SELECT
  count(*) FILTER (WHERE key = hashtextextended('sc_processor:' || $1, 0))::int AS held,
  count(*) FILTER (WHERE key = hashtextextended('sc_processor_claim:' || $1, 0))::int AS claimed
FROM (SELECT (classid::bigint << 32) | objid::bigint AS key FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND pid <> pg_backend_pid()) l`;
// A new partition starts where the least advanced checkpoint of the same processor is (the
// unpartitioned row, or another partitioning's rows): nothing is skipped when the count changes,
// and handlers are idempotent for what is seen again.
const SEED_CHECKPOINT = `INSERT INTO processor_checkpoints (processor_name, transaction_id, global_position)
SELECT $1, transaction_id, global_position FROM processor_checkpoints
WHERE processor_name = $2 OR starts_with(processor_name, $2 || '#')
ORDER BY transaction_id, global_position LIMIT 1
ON CONFLICT DO NOTHING`;
const NEW_CHECKPOINT =
  "INSERT INTO processor_checkpoints (processor_name) VALUES ($1) ON CONFLICT DO NOTHING";

async function flag(client: pg.ClientBase, sql: string, name: string): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>(sql, [name]);
  return rows[0]?.locked === true;
}

/** The advisory locks and checkpoint row of one processor partition, on its session's connection. */
export const processorLocks = {
  tryLock: (client: pg.ClientBase, name: string) => flag(client, TRY_LOCK, name),
  unlock: (client: pg.ClientBase, name: string) => flag(client, UNLOCK, name),
  tryFence: (client: pg.ClientBase, baseName: string) => flag(client, TRY_FENCE, baseName),
  tryClaim: (client: pg.ClientBase, name: string) => flag(client, TRY_CLAIM, name),

  /** Whether another session holds the partition, or claims it. */
  async takenByOthers(
    client: pg.ClientBase,
    name: string,
  ): Promise<{ held: boolean; claimed: boolean }> {
    const { rows } = await client.query<{ held: number; claimed: number }>(TAKEN_BY_OTHERS, [name]);
    return { held: (rows[0]?.held ?? 0) > 0, claimed: (rows[0]?.claimed ?? 0) > 0 };
  },

  async ensureCheckpoint(client: pg.ClientBase, name: string, baseName: string): Promise<void> {
    await client.query(SEED_CHECKPOINT, [name, baseName]);
    await client.query(NEW_CHECKPOINT, [name]);
  },
};
