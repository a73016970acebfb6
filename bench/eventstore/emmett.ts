import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type pg from "pg";
import type { Appender } from "./workload.js";

// The slice of @event-driven-io/emmett-postgresql this benchmark drives.
interface EmmettStore {
  appendToStream(
    stream: string,
    events: { type: string; data: unknown; metadata?: unknown }[],
    options: { expectedStreamVersion: bigint | "STREAM_DOES_NOT_EXIST" },
  ): Promise<{ nextExpectedStreamVersion: bigint }>;
  close(): Promise<void>;
}
interface EmmettModule {
  getPostgreSQLEventStore(connectionString: string, options?: unknown): EmmettStore;
}

// Emmett is a devDependency of libs/events (pinned there), so resolve it from that package.
const fromEvents = createRequire(
  fileURLToPath(new URL("../../libs/events/package.json", import.meta.url)),
);

/** Emmett's PostgreSQL event store on the same database, sharing the benchmark's pool. */
export async function openEmmett(connectionString: string, pool: pg.Pool) {
  const path = fromEvents.resolve("@event-driven-io/emmett-postgresql");
  const emmett = (await import(pathToFileURL(path).href)) as EmmettModule;
  const store = emmett.getPostgreSQLEventStore(connectionString, {
    connectionOptions: { pool },
  });
  const append: Appender = async (stream, events, version) => {
    const result = await store.appendToStream(
      stream,
      events.map((e) => ({ type: e.type, data: e.data, metadata: e.metadata })),
      { expectedStreamVersion: version === 0 ? "STREAM_DOES_NOT_EXIST" : BigInt(version) },
    );
    return Number(result.nextExpectedStreamVersion);
  };
  return { append, close: () => store.close() };
}
