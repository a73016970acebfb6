// The raw floor: the same number of NATS messages and Postgres rows the rollout produced, done
// without any Statecast logic, on the same nats-server and the same Postgres, in the same run.
import { type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { credsConnectionOptions } from "@statecast/nats-auth";
import type pg from "pg";
import { eachLimited } from "./agents.js";

/** Per stream of the services account: messages ever stored (last_seq) and bytes held. */
export type StreamCounters = Map<string, { lastSeq: number; messages: number; bytes: number }>;

export async function streamCounters(jsm: JetStreamManager): Promise<StreamCounters> {
  const counters: StreamCounters = new Map();
  for await (const info of jsm.streams.list()) {
    counters.set(info.config.name, {
      lastSeq: info.state.last_seq,
      messages: info.state.messages,
      bytes: info.state.bytes,
    });
  }
  return counters;
}

/** Messages stored between two snapshots, and their mean size (from the streams' own bytes). */
export function messagesBetween(before: StreamCounters, after: StreamCounters) {
  let messages = 0;
  let bytes = 0;
  let held = 0;
  const perStream: Record<string, number> = {};
  for (const [name, now] of after) {
    const added = now.lastSeq - (before.get(name)?.lastSeq ?? 0);
    if (added <= 0) continue;
    perStream[name] = added;
    messages += added;
    bytes += now.bytes;
    held += now.messages;
  }
  return { messages, meanBytes: held > 0 ? Math.round(bytes / held) : 256, perStream };
}

export interface FloorInput {
  natsUrl: string;
  servicesCreds: string;
  pool: pg.Pool;
  messages: number;
  meanBytes: number;
  /** The rollout's event rows as committed: one entry per Postgres transaction. */
  transactions: { type: string; data: string; metadata: string }[][];
}

export interface FloorResult {
  floor_seconds: number;
  floor_publish_seconds: number;
  floor_insert_seconds: number;
}

const CONNECTIONS = 8;

/** JetStream publishes (acknowledged, pipelined over 8 connections) of `messages` payloads. */
async function publishRaw(input: FloorInput): Promise<number> {
  const connections: NatsConnection[] = [];
  for (let i = 0; i < CONNECTIONS; i++)
    connections.push(
      await connect({ servers: input.natsUrl, ...credsConnectionOptions(input.servicesCreds) }),
    );
  try {
    const jsm = await jetstreamManager(connections[0] as NatsConnection);
    await jsm.streams.add({ name: "BENCH_FLOOR", subjects: ["bench.floor.>"] });
    const payload = new Uint8Array(input.meanBytes).fill(120);
    const started = performance.now();
    const perConnection = Math.ceil(input.messages / CONNECTIONS);
    await Promise.all(
      connections.map(async (nc, c) => {
        const js = jetstream(nc);
        const count = Math.max(0, Math.min(perConnection, input.messages - c * perConnection));
        for (let sent = 0; sent < count; ) {
          const window = Math.min(256, count - sent);
          await Promise.all(
            Array.from({ length: window }, (_, i) =>
              js.publish(`bench.floor.${c}.${sent + i}`, payload),
            ),
          );
          sent += window;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await jsm.streams.delete("BENCH_FLOOR");
    return seconds;
  } finally {
    for (const nc of connections) await nc.close().catch(() => undefined);
  }
}

/** The same rows in the same transactions, each one plain multi-row INSERT into a bare table. */
async function insertRaw(input: FloorInput): Promise<number> {
  await input.pool.query(
    `CREATE TABLE bench_floor (
       id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL,
       recorded_at timestamptz NOT NULL DEFAULT now())`,
  );
  const started = performance.now();
  await eachLimited(input.transactions, CONNECTIONS, async (rows) => {
    await input.pool.query(
      `INSERT INTO bench_floor (type, data, metadata)
       SELECT * FROM unnest($1::text[], $2::jsonb[], $3::jsonb[])`,
      [rows.map((r) => r.type), rows.map((r) => r.data), rows.map((r) => r.metadata)],
    );
  });
  const seconds = (performance.now() - started) / 1000;
  await input.pool.query("DROP TABLE bench_floor");
  return seconds;
}

/** Both at once, as the real path does them at once; the floor is the wall time of the two. */
export async function measureFloor(input: FloorInput): Promise<FloorResult> {
  const started = performance.now();
  const [publish, insert] = await Promise.all([publishRaw(input), insertRaw(input)]);
  return {
    floor_seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    floor_publish_seconds: Number(publish.toFixed(2)),
    floor_insert_seconds: Number(insert.toFixed(2)),
  };
}
