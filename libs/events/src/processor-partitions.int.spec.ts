import { setTimeout as sleep } from "node:timers/promises";
import { partitionOf } from "./partitions.js";
import { type RunningProcessor, runProcessor } from "./processor.js";
import {
  aMigratedStore,
  aTagsChanged,
  type StoreFixture,
} from "./testing/event-store.test-helper.js";

const STREAMS = Array.from({ length: 40 }, (_, i) => `device:d${i}`);

// Each case may wait up to 60 s for a settle (see `settle`), and a few of them in a row: the
// int tier's 60 s per test ended the case before a settle could say what held it (twice in CI).
describe("runProcessor, partitioned over two replicas", { timeout: 180_000 }, () => {
  let f: StoreFixture;
  let running: RunningProcessor[];
  beforeEach(async () => {
    f = await aMigratedStore();
    running = [];
  });
  afterEach(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await f.dispose();
  });

  /**
   * Waits for `condition`, up to 60 s. Every database of the test server shares one snapshot
   * xmin, and readers stop below it (`readAll`): another test file's open write transaction holds
   * these processors back however little they have to do. This file failed at 15 s in two full
   * runs of the int tier (each time a different case) and passes alone; a timeout now names the
   * write transactions open on the server, to tell that apart from events never handled.
   */
  const settle = (condition: () => boolean | Promise<boolean>) =>
    waitFor(condition, 60_000).catch(async (error: Error) => {
      const { rows } = await f.pool.query(
        `SELECT datname, application_name, backend_xid::text AS xid,
                round(extract(epoch FROM now() - xact_start)) AS open_s
           FROM pg_stat_activity WHERE backend_xid IS NOT NULL ORDER BY xact_start LIMIT 5`,
      );
      throw new Error(`${error.message}; write transactions open now: ${JSON.stringify(rows)}`);
    });

  /** A replica: records which events it handled, by partition. */
  const replica = (replicaIndex: number, seen: Map<string, string[]>, takeoverAfterMs = 300) => {
    const processor = runProcessor(f.store, {
      name: "shared",
      partitions: { count: 2, replicaIndex, takeoverAfterMs },
      standbyRetryMs: 50,
      pollIntervalMs: 50,
      retryDelayMs: 50,
      handle: async (events, _client, partition) => {
        for (const e of events) {
          expect(partition.owns(e.streamId)).toBe(true);
          const key = `r${replicaIndex}`;
          seen.set(key, [...(seen.get(key) ?? []), e.eventId]);
        }
      },
    });
    running.push(processor);
    return processor;
  };

  const appendRound = async (n: number) => {
    for (const stream of STREAMS)
      await f.store.append(stream, [aTagsChanged(n)], { expectedVersion: "any" });
  };
  // From the table, not readAll: readAll stops below the server's snapshot xmin, so another test
  // file's open transaction hid the newest events from it (79 of 80 once in CI, read as a
  // duplicate) while the processors, a moment later, handled all 80.
  const allIds = async () =>
    (await f.pool.query<{ event_id: string }>("SELECT event_id FROM events")).rows.map(
      (r) => r.event_id,
    );
  const handled = (seen: Map<string, string[]>) => [...seen.values()].flat();

  it("splits the work: each replica holds its own partition and handles only that share", async () => {
    const seen = new Map<string, string[]>();
    const a = replica(0, seen);
    const b = replica(1, seen);
    await settle(() => a.partitions[0]?.held === true && b.partitions[1]?.held === true);
    await appendRound(1);
    await appendRound(2);
    const ids = await allIds();
    await settle(() => handled(seen).length === ids.length);
    await sleep(200);
    expect(handled(seen).sort()).toEqual([...ids].sort()); // each exactly once
    expect(a.partitions.map((p) => p.held)).toEqual([true, false]);
    expect(b.partitions.map((p) => p.held)).toEqual([false, true]);
    const owned = STREAMS.filter((s) => partitionOf(s, 2) === 0).length * 2;
    expect(seen.get("r0")?.length).toBe(owned);
    expect(seen.get("r1")?.length).toBe(ids.length - owned);
    expect(owned).toBeGreaterThan(0);
    expect(owned).toBeLessThan(ids.length);
    const { rows } = await f.pool.query(
      "SELECT processor_name FROM processor_checkpoints ORDER BY 1",
    );
    expect(rows.map((r) => r.processor_name)).toEqual(["shared#0/2", "shared#1/2"]);
  });

  it("takes over a dead replica's partition after it has been free a while, skipping nothing, and hands it back", async () => {
    const seen = new Map<string, string[]>();
    const a = replica(0, seen);
    let b = replica(1, seen);
    await settle(() => a.partitions[0]?.held === true && b.partitions[1]?.held === true);
    await appendRound(1);
    await settle(async () => handled(seen).length === (await allIds()).length);
    // Replica b dies: its backend is killed, so its locks go with it.
    const killed = await f.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sc-processor:shared#1/2'",
    );
    expect(killed.rowCount).toBe(2); // a's standby session for partition 1 and b's active one
    await b.stop();
    running = running.filter((p) => p !== b);
    await appendRound(2);
    await settle(() => a.partitions[1]?.held === true);
    await appendRound(3);
    await settle(async () => handled(seen).length === (await allIds()).length);
    // b comes back: it claims partition 1 and a hands it back.
    b = replica(1, seen);
    await settle(() => b.partitions[1]?.held === true && a.partitions[1]?.held === false);
    await appendRound(4);
    const ids = await allIds();
    await settle(() => handled(seen).length === ids.length);
    await sleep(200);
    expect(handled(seen).sort()).toEqual([...ids].sort());
    expect(new Set(handled(seen)).size).toBe(ids.length);
  });

  it("starts new partitions at the unpartitioned checkpoint and does not run beside an unpartitioned replica", async () => {
    const before: string[] = [];
    const single = runProcessor(f.store, {
      name: "shared",
      standbyRetryMs: 50,
      pollIntervalMs: 50,
      handle: async (events) => {
        before.push(...events.map((e) => e.eventId));
      },
    });
    running.push(single);
    await appendRound(1);
    await settle(() => before.length === STREAMS.length);
    const seen = new Map<string, string[]>();
    const a = replica(0, seen, 100);
    await sleep(400);
    expect(a.active).toBe(false); // fenced while the unpartitioned replica holds the name
    await single.stop();
    running = running.filter((p) => p !== single);
    await settle(() => a.partitions.every((p) => p.held));
    await appendRound(2);
    await settle(() => handled(seen).length === STREAMS.length);
    await sleep(200);
    expect(handled(seen).length).toBe(STREAMS.length); // round 1 not handled again
  });
});

async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
