import type pg from "pg";

// Shared by posts (shared mode) and collection passes (exclusive); any constant all agree on.
const OBJECT_GC_LOCK = 0x5c_0b1c;

/**
 * Runs `work` while no collection pass deletes objects: a post checks its objects are present
 * and commits its RevisionPosted under this lock, so a pass either sees that revision's
 * references or runs before the check (which then finds the objects missing and says so).
 */
export async function withObjectsPinned<T>(pool: pg.Pool, work: () => Promise<T>): Promise<T> {
  return holding(pool, "pg_advisory_lock_shared", "pg_advisory_unlock_shared", work);
}

/** Runs `work` with no post between its object check and its commit (see withObjectsPinned). */
export async function withObjectsExclusive<T>(pool: pg.Pool, work: () => Promise<T>): Promise<T> {
  return holding(pool, "pg_advisory_lock", "pg_advisory_unlock", work);
}

async function holding<T>(
  pool: pg.Pool,
  lock: string,
  unlock: string,
  work: () => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`SELECT ${lock}($1)`, [OBJECT_GC_LOCK]);
    try {
      return await work();
    } finally {
      // A session lock whose unlock failed dies with its connection: drop it from the pool.
      await client.query(`SELECT ${unlock}($1)`, [OBJECT_GC_LOCK]).catch((error: Error) => {
        broken = error;
      });
    }
  } finally {
    client.release(broken);
  }
}
