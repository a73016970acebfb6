import type pg from "pg";
import type { Appender } from "./workload.js";

// The floor to beat: the same columns, one unprepared INSERT (and commit) per event, no
// expected-version check at all.
export async function openNaive(pool: pg.Pool): Promise<Appender> {
  await pool.query(`CREATE TABLE IF NOT EXISTS naive_events (
    global_position bigserial PRIMARY KEY, stream_id text NOT NULL, stream_version int NOT NULL,
    event_id uuid NOT NULL DEFAULT gen_random_uuid(), type text NOT NULL, data jsonb NOT NULL,
    metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`);
  return async (stream, events, version) => {
    let v = version;
    for (const event of events) {
      v += 1;
      await pool.query(
        "INSERT INTO naive_events (stream_id, stream_version, type, data, metadata) VALUES ($1, $2, $3, $4, $5)",
        [stream, v, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata)],
      );
    }
    return v;
  };
}
