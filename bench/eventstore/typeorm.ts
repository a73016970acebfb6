import { type DataSource, EntitySchema } from "typeorm";
import type { Appender } from "./workload.js";

// What appending costs through TypeORM's own path (entities, a transaction, a locked read of the
// stream's version, an INSERT of the events), on the same DataSource as PostgresEventStore: the
// figure that decides whether the event store's hand-written SQL stays.
interface OrmStream {
  streamId: string;
  version: number;
}
interface OrmEvent {
  globalPosition?: string;
  streamId: string;
  streamVersion: number;
  type: string;
  data: object;
  metadata: object;
}

export const ormStream = new EntitySchema<OrmStream>({
  name: "OrmStream",
  tableName: "orm_streams",
  columns: {
    streamId: { name: "stream_id", type: "text", primary: true },
    version: { type: "int" },
  },
});

export const ormEvent = new EntitySchema<OrmEvent>({
  name: "OrmEvent",
  tableName: "orm_events",
  columns: {
    globalPosition: {
      name: "global_position",
      type: "bigint",
      primary: true,
      generated: "increment",
    },
    streamId: { name: "stream_id", type: "text" },
    streamVersion: { name: "stream_version", type: "int" },
    type: { type: "text" },
    data: { type: "jsonb" },
    metadata: { type: "jsonb" },
  },
  uniques: [{ columns: ["streamId", "streamVersion"] }],
});

export async function openTypeorm(dataSource: DataSource): Promise<Appender> {
  await dataSource.query(`CREATE TABLE IF NOT EXISTS orm_streams (
    stream_id text PRIMARY KEY, version int NOT NULL)`);
  await dataSource.query(`CREATE TABLE IF NOT EXISTS orm_events (
    global_position bigserial PRIMARY KEY, stream_id text NOT NULL, stream_version int NOT NULL,
    type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL,
    UNIQUE (stream_id, stream_version))`);
  return (streamId, events, expected) =>
    dataSource.transaction(async (manager) => {
      const stream = await manager.findOne(ormStream, {
        where: { streamId },
        lock: { mode: "pessimistic_write" },
      });
      if ((stream?.version ?? 0) !== expected) {
        throw new Error(`${streamId} is at ${stream?.version ?? 0}, not ${expected}`);
      }
      const version = expected + events.length;
      await manager.upsert(ormStream, { streamId, version }, ["streamId"]);
      await manager.insert(
        ormEvent,
        events.map((e, i) => ({
          streamId,
          streamVersion: expected + i + 1,
          type: e.type,
          data: e.data as object,
          metadata: e.metadata,
        })),
      );
      return version;
    });
}
