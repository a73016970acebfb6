// A relay in its own process, so a test can SIGKILL it mid-stream. Prints one JSON line per batch.
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { PostgresEventStore } from "../postgres-event-store.js";
import { createRegistry } from "../registry.js";
import { startRelay } from "../relay.js";

const { DATABASE_URL, NATS_URL } = process.env;
if (!DATABASE_URL || !NATS_URL) throw new Error("relay child needs DATABASE_URL and NATS_URL");
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
const nats = await connect({ servers: NATS_URL });
const store = new PostgresEventStore(pool, createRegistry());
await startRelay(store, {
  nats,
  batchSize: 40,
  pollIntervalMs: 50,
  onError: (e) => process.stderr.write(`relay error: ${e.message}\n`),
  onPublished: (stats) => {
    process.stdout.write(`${JSON.stringify(stats)}\n`); // synchronous on a pipe
    // Freeze between the acks and the checkpoint commit, so the parent's SIGKILL lands there.
    if (process.env.FREEZE_AFTER_PUBLISH)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000);
  },
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
