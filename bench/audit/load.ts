import { randomUUID } from "node:crypto";
import type pg from "pg";
import { dataFor, metadataFor, pickType, prng } from "./synthetic-history.js";

export interface LoadPlan {
  events: number;
  devices: number;
  /** First and last recorded_at: events are spread evenly (append-only, so time grows with position). */
  start: Date;
  spanMs: number;
  batchSize: number;
  concurrency: number;
}

const INSERT_EVENTS = `INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at)
SELECT * FROM unnest($1::text[], $2::int[], $3::uuid[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[], $8::timestamptz[])`;

/** Which device each event belongs to and its version there (deterministic). */
function assignDevices(plan: LoadPlan): {
  device: Uint32Array;
  version: Uint32Array;
  perDevice: Uint32Array;
} {
  const random = prng(42);
  const device = new Uint32Array(plan.events);
  const version = new Uint32Array(plan.events);
  const perDevice = new Uint32Array(plan.devices);
  for (let i = 0; i < plan.events; i++) {
    const d = Math.floor(random() * plan.devices);
    device[i] = d;
    perDevice[d] = (perDevice[d] ?? 0) + 1;
    version[i] = perDevice[d] as number;
  }
  return { device, version, perDevice };
}

async function insertStreams(pool: pg.Pool, perDevice: Uint32Array): Promise<void> {
  const ids: string[] = [];
  const versions: number[] = [];
  perDevice.forEach((count, d) => {
    ids.push(`device:d${d}`);
    versions.push(count);
  });
  for (let i = 0; i < ids.length; i += 50_000) {
    await pool.query(
      "INSERT INTO streams (stream_id, stream_type, version, last_transaction_id) SELECT s, 'device', v, pg_current_xact_id() FROM unnest($1::text[], $2::int[]) AS t(s, v)",
      [ids.slice(i, i + 50_000), versions.slice(i, i + 50_000)],
    );
  }
}

/**
 * Loads the synthetic history through the event store's own tables with multi-row inserts
 * (`unnest` arrays): the same rows, columns and indexes appends produce. Returns seconds taken.
 */
export async function loadHistory(
  pool: pg.Pool,
  plan: LoadPlan,
  progress: (done: number) => void,
): Promise<number> {
  const began = performance.now();
  const { device, version, perDevice } = assignDevices(plan);
  await insertStreams(pool, perDevice);
  const random = prng(7);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < plan.events) {
      const from = next;
      const to = Math.min(plan.events, from + plan.batchSize);
      next = to;
      const cols: unknown[][] = [[], [], [], [], [], [], [], []];
      for (let i = from; i < to; i++) {
        const d = device[i] as number;
        const v = version[i] as number;
        const at = new Date(plan.start.getTime() + (plan.spanMs * i) / plan.events);
        const type = pickType(random());
        cols[0]?.push(`device:d${d}`);
        cols[1]?.push(v);
        cols[2]?.push(randomUUID());
        cols[3]?.push(type);
        cols[4]?.push(1);
        cols[5]?.push(JSON.stringify(dataFor(type, d, v, at)));
        cols[6]?.push(JSON.stringify(metadataFor(d, at)));
        cols[7]?.push(at);
      }
      await pool.query(INSERT_EVENTS, cols);
      done += to - from;
      progress(done);
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  return (performance.now() - began) / 1000;
}
