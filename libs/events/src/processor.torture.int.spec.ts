import { setTimeout as sleep } from "node:timers/promises";
import type { RecordedEvent } from "./envelope.js";
import { ConcurrencyError } from "./errors.js";
import { partitionOf } from "./partitions.js";
import { comparePositions } from "./positions.js";
import { type RunningProcessor, runProcessor } from "./processor.js";
import {
  aMigratedStore,
  aTagsChanged,
  type StoreFixture,
} from "./testing/event-store.test-helper.js";

// The no-skip torture test (issue 2): many concurrent writers, some transactions stalled for
// seconds (some taking their transaction id long before they append), some rolled back, while two
// replicas of one processor run and the active one is stopped half-way.
const WRITERS = 16;
const WRITE_FOR_MS = 6_000;

type Outcome = { committed: string[]; rolledBack: string[] };

describe("processor under the no-skip torture", () => {
  let f: StoreFixture;
  beforeAll(async () => {
    f = await aMigratedStore(WRITERS + 10);
    await f.pool.query("CREATE TABLE torture_seen (event_id uuid PRIMARY KEY)");
  });
  afterAll(() => f.dispose());

  it("delivers every committed event exactly once, in commit order, and no rolled-back one", async () => {
    const delivered: RecordedEvent[] = [];
    const errors: Error[] = [];
    const replica = () =>
      runProcessor(f.store, {
        name: "torture",
        batchSize: 50,
        pollIntervalMs: 200,
        standbyRetryMs: 100,
        retryDelayMs: 100,
        onError: (e) => errors.push(e),
        handle: async (events, client) => {
          delivered.push(...events);
          // The processor's own write, committed atomically with its checkpoint.
          await client.query("INSERT INTO torture_seen SELECT unnest($1::uuid[])", [
            events.map((e) => e.eventId),
          ]);
        },
      });
    const replicas: RunningProcessor[] = [replica(), replica()];

    const writing = Array.from({ length: WRITERS }, (_, w) => writer(f, w));
    await sleep(WRITE_FOR_MS / 2);
    const first = replicas.find((r) => r.active);
    expect(first).toBeDefined();
    await first?.stop(); // the standby must take over where it stopped
    const outcomes = await Promise.all(writing);

    const committed = outcomes.flatMap((o) => o.committed);
    const rolledBack = new Set(outcomes.flatMap((o) => o.rolledBack));
    expect(rolledBack.size).toBeGreaterThan(0);
    await waitFor(() => delivered.length >= committed.length, 15_000);
    await sleep(300); // anything extra (a duplicate) would show up now
    await Promise.all(replicas.map((r) => r.stop()));

    expect(errors).toEqual([]);
    const ids = delivered.map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(committed));
    expect(ids.filter((id) => rolledBack.has(id))).toEqual([]);
    for (let i = 1; i < delivered.length; i++) {
      expect(
        comparePositions(delivered[i - 1] as RecordedEvent, delivered[i] as RecordedEvent),
      ).toBe(-1);
    }
    const lastVersion = new Map<string, number>();
    for (const e of delivered) {
      expect(e.streamVersion).toBe((lastVersion.get(e.streamId) ?? 0) + 1);
      lastVersion.set(e.streamId, e.streamVersion);
    }
    const { rows } = await f.pool.query("SELECT count(*)::int AS n FROM torture_seen");
    expect(rows[0].n).toBe(committed.length);
    const checkpoint = await f.pool.query(
      "SELECT transaction_id::text, global_position::text FROM processor_checkpoints WHERE processor_name = 'torture'",
    );
    const last = delivered.at(-1) as RecordedEvent;
    expect(checkpoint.rows[0]).toEqual({
      transaction_id: last.transactionId.toString(),
      global_position: last.globalPosition.toString(),
    });
    // The workload has teeth: some events committed after higher positions had been delivered,
    // which a reader walking global_position alone would have skipped for good.
    const overtaken = delivered.filter(
      (e, i) => i > 0 && e.globalPosition < (delivered[i - 1] as RecordedEvent).globalPosition,
    );
    expect(overtaken.length).toBeGreaterThan(0);
  }, 40_000);

  it("partitioned over two replicas, one killed half-way: every committed event exactly once, each stream in order", async () => {
    const delivered = new Map<number, RecordedEvent[]>([
      [0, []],
      [1, []],
    ]);
    const errors: Error[] = [];
    const replica = (replicaIndex: number) =>
      runProcessor(f.store, {
        name: "torture-split",
        partitions: { count: 2, replicaIndex, takeoverAfterMs: 500 },
        batchSize: 50,
        pollIntervalMs: 200,
        standbyRetryMs: 100,
        retryDelayMs: 100,
        onError: (e) => errors.push(e),
        handle: async (events, client, partition) => {
          // Only this test's streams: the first test's events are in the same log.
          const mine = events.filter((e) => e.streamId.startsWith("device:p"));
          expect(mine.every((e) => partition.owns(e.streamId))).toBe(true);
          await client.query("INSERT INTO torture_seen SELECT unnest($1::uuid[])", [
            mine.map((e) => e.eventId),
          ]);
        },
        // A batch killed before its commit is handled again: count what committed.
        onCommitted: (_outcome, events, partition) => {
          const mine = events.filter((e) => e.streamId.startsWith("device:p"));
          delivered.get(partition.index)?.push(...mine);
        },
      });
    const a = replica(0);
    const b = replica(1);
    await waitFor(() => a.partitions[0]?.held === true && b.partitions[1]?.held === true, 10_000);
    const writing = Array.from({ length: WRITERS }, (_, w) => writer(f, w, "p"));
    await sleep(WRITE_FOR_MS / 2);
    // Replica b dies mid-batch: its backends are killed, the locks go with them.
    await f.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sc-processor:torture-split#1/2'",
    );
    await b.stop();
    const outcomes = await Promise.all(writing);
    const committed = outcomes.flatMap((o) => o.committed);
    const rolledBack = new Set(outcomes.flatMap((o) => o.rolledBack));
    const all = () => [...delivered.values()].flat();
    await waitFor(() => all().length >= committed.length, 15_000);
    await sleep(300);
    await a.stop();

    expect(a.partitions[1]?.handledEvents).toBeGreaterThan(0); // a took b's partition over
    expect(b.partitions[1]?.handledEvents).toBeGreaterThan(0); // after b had handled some
    // Only the kill's own errors (named, so a failure says which other one came): the server's
    // "terminating connection", or the socket reset it causes when that arrives first.
    expect(
      errors.map((e) => e.message).filter((m) => !/terminat|Connection|ECONNRESET/i.test(m)),
    ).toEqual([]);
    const ids = all().map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(committed));
    expect(ids.filter((id) => rolledBack.has(id))).toEqual([]);
    const { rows } = await f.pool.query(
      "SELECT count(*)::int AS n FROM torture_seen WHERE event_id = ANY($1::uuid[])",
      [committed],
    );
    expect(rows[0].n).toBe(committed.length);
    for (const [index, events] of delivered) {
      const lastVersion = new Map<string, number>();
      for (const e of events) {
        expect(partitionOf(e.streamId, 2)).toBe(index);
        expect(e.streamVersion).toBe((lastVersion.get(e.streamId) ?? 0) + 1);
        lastVersion.set(e.streamId, e.streamVersion);
      }
    }
  }, 60_000);
});

async function writer(f: StoreFixture, w: number, prefix = ""): Promise<Outcome> {
  const outcome: Outcome = { committed: [], rolledBack: [] };
  const until = Date.now() + WRITE_FOR_MS;
  for (let n = 0; Date.now() < until; n++) {
    const kind = n % 10;
    if (kind < 6) {
      const events = Array.from({ length: 1 + (n % 4) }, (_, i) => aTagsChanged(i));
      await f.store.append(`device:${prefix}w${w}`, events, { expectedVersion: "any" });
      outcome.committed.push(...(await lastIds(f, `device:${prefix}w${w}`, events.length)));
    } else {
      await inTransaction(f, w, n, kind, outcome, prefix);
    }
  }
  return outcome;
}

// 6: stalled 0.5–2 s then committed; 7: takes its transaction id, stalls, then appends to a busy
// stream and commits (or is refused because newer transactions wrote to it, and rolls back);
// 8: appends then rolls back; 9: stalls then rolls back.
async function inTransaction(
  f: StoreFixture,
  w: number,
  n: number,
  kind: number,
  outcome: Outcome,
  prefix: string,
) {
  const client = await f.pool.connect();
  const stream = `device:${prefix}tx${w}-${n}`;
  try {
    await client.query("BEGIN");
    if (kind === 7) {
      await client.query("SELECT pg_current_xact_id()");
      await sleep(500 + ((w * 131 + n * 17) % 1500));
    }
    const events = [aTagsChanged(1), aTagsChanged(2)];
    const ids = events.map(() => crypto.randomUUID());
    const withIds = events.map((e, i) => ({ ...e, eventId: ids[i] }));
    if (kind === 7) {
      try {
        await f.store.append(`device:${prefix}w${w}`, withIds, {
          expectedVersion: "any",
          client,
        });
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        await client.query("ROLLBACK");
        outcome.rolledBack.push(...ids);
        return;
      }
    } else {
      await f.store.append(stream, withIds, { expectedVersion: "no_stream", client });
    }
    if (kind === 6 || kind === 9) await sleep(500 + ((w * 97 + n * 13) % 1500));
    if (kind === 8 || kind === 9) {
      await client.query("ROLLBACK");
      outcome.rolledBack.push(...ids);
    } else {
      await client.query("COMMIT");
      outcome.committed.push(...ids);
    }
  } finally {
    client.release();
  }
}

async function lastIds(f: StoreFixture, stream: string, count: number): Promise<string[]> {
  const { rows } = await f.pool.query<{ event_id: string }>(
    "SELECT event_id FROM events WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT $2",
    [stream, count],
  );
  return rows.map((r) => r.event_id);
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}
