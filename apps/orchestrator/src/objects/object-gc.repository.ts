import { Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import { poolOf } from "@statecast/events";
import type pg from "pg";
import type { DataSource } from "typeorm";

// Shared by posts (shared mode) and collection passes (exclusive); any constant all agree on.
const OBJECT_GC_LOCK = 0x5c_0b1c;

// Every object a posted revision names: its canonical state (the digest) and the state's objects.
const REFERENCED = `SELECT data ->> 'digest' AS sha FROM events WHERE type = 'RevisionPosted'
UNION SELECT jsonb_array_elements_text(data -> 'objects') FROM events WHERE type = 'RevisionPosted'`;

/**
 * The SQL of object collection: the lock posts and passes share, and the objects revisions
 * reference. A post checks its objects are present and commits its RevisionPosted under the
 * lock (shared), so a pass (exclusive) either sees that revision's references or runs before the
 * check (which then finds the objects missing and says so).
 */
@Injectable()
export class ObjectGcRepository {
  private readonly pool: pg.Pool;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.pool = poolOf(dataSource);
  }

  /** Runs `work` while no collection pass deletes objects. */
  pinned<T>(work: () => Promise<T>): Promise<T> {
    return this.holding("pg_advisory_lock_shared", "pg_advisory_unlock_shared", work);
  }

  /** Runs `work` with no post between its object check and its commit. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.holding("pg_advisory_lock", "pg_advisory_unlock", work);
  }

  /** The digests of every object a posted revision names. */
  async referenced(): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ sha: string }>(REFERENCED);
    return new Set(rows.map((r) => r.sha));
  }

  private async holding<T>(lock: string, unlock: string, work: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
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
}
