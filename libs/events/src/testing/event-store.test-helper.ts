import { randomUUID } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@statecast/testing";
import pg from "pg";
import { deviceCatalog } from "../catalog/device.js";
import { revisionCatalog } from "../catalog/revision.js";
import type { EventMetadata, NewEvent } from "../envelope.js";
import { migrate } from "../migrate.js";
import { PostgresEventStore } from "../postgres-event-store.js";
import { createRegistry } from "../registry.js";
import { eventStoreMigrations } from "../schema.js";

export interface StoreFixture {
  db: TestDatabase;
  pool: pg.Pool;
  store: PostgresEventStore;
  dispose(): Promise<void>;
}

/** A fresh database with the event store migrated, and a store over the device + revision catalog. */
export async function aMigratedStore(poolSize = 20): Promise<StoreFixture> {
  const db = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: poolSize });
  await migrate(db.url, eventStoreMigrations);
  const store = new PostgresEventStore(pool, createRegistry(deviceCatalog, revisionCatalog));
  return {
    db,
    pool,
    store,
    dispose: async () => {
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
}

export function someMetadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: "operator:alice",
    now: "2026-11-25T12:00:00.000Z",
    ...overrides,
  };
}

/** A valid `DeviceTagsChanged`: the cheapest event of the device catalog. */
export function aTagsChanged(n: number, metadata = someMetadata()): NewEvent {
  return { type: "DeviceTagsChanged", data: { tags: { n: String(n) } }, metadata };
}

export async function countEvents(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM events");
  return Number(rows[0]?.n ?? 0);
}
