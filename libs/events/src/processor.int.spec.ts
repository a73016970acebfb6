import { setTimeout as sleep } from "node:timers/promises";
import type { RecordedEvent } from "./envelope.js";
import { START } from "./positions.js";
import { runProcessor } from "./processor.js";
import {
  aMigratedStore,
  aTagsChanged,
  type StoreFixture,
  someMetadata,
} from "./testing/event-store.test-helper.js";

describe("runProcessor", () => {
  let f: StoreFixture;
  beforeEach(async () => {
    f = await aMigratedStore();
    await f.pool.query("CREATE TABLE projection (event_id uuid PRIMARY KEY)");
  });
  afterEach(() => f.dispose());

  it("rolls back the handler's writes with the checkpoint when it throws, then retries the batch", async () => {
    await f.store.append("device:p1", [aTagsChanged(1), aTagsChanged(2)], {
      expectedVersion: "no_stream",
    });
    const errors: Error[] = [];
    const batches: string[][] = [];
    const processor = runProcessor(f.store, {
      name: "flaky",
      retryDelayMs: 50,
      onError: (e) => errors.push(e),
      handle: async (events, client) => {
        batches.push(events.map((e) => e.eventId));
        await client.query("INSERT INTO projection SELECT unnest($1::uuid[])", [
          events.map((e) => e.eventId),
        ]);
        if (batches.length === 1) throw new Error("projection bug");
      },
    });
    await waitFor(() => batches.length === 2);
    await processor.stop();
    expect(errors.map((e) => e.message)).toEqual(["projection bug"]);
    expect(batches[0]).toEqual(batches[1]);
    const { rows } = await f.pool.query("SELECT count(*)::int AS n FROM projection");
    expect(rows[0].n).toBe(2);
  });

  it("wakes on NOTIFY well before its poll interval", async () => {
    const seen: RecordedEvent[] = [];
    const processor = runProcessor(f.store, {
      name: "prompt",
      pollIntervalMs: 60_000,
      handle: async (events) => {
        seen.push(...events);
      },
    });
    await sleep(300); // let it reach its idle wait
    const appendedAt = Date.now();
    await f.store.append("device:p2", [aTagsChanged(1)], { expectedVersion: "any" });
    await waitFor(() => seen.length === 1, 5_000);
    expect(Date.now() - appendedAt).toBeLessThan(2_000);
    await processor.stop();
  });

  it("passes only the types asked for and still moves its checkpoint past the rest", async () => {
    await f.store.append("device:p3", [aTagsChanged(1)], { expectedVersion: "any" });
    await f.store.append(
      "revision:main:1",
      [
        {
          type: "RevisionRetired",
          data: { revision: { fleet: "main", number: 1 }, reason: "old" },
          metadata: someMetadata(),
        },
      ],
      { expectedVersion: "any" },
    );
    await f.store.append("device:p3", [aTagsChanged(2)], { expectedVersion: "any" });
    const seen: string[] = [];
    const processor = runProcessor(f.store, {
      name: "retirements",
      types: ["RevisionRetired"],
      handle: async (events) => {
        seen.push(...events.map((e) => e.type));
      },
    });
    await waitFor(() => processor.position.globalPosition === 3n);
    await processor.stop();
    expect(seen).toEqual(["RevisionRetired"]);
  });

  it("passes a long run of other types' events in one commit and still handles each of its own once, in order", async () => {
    // Counts the processor's checkpoint commits (each moves its row once).
    await f.pool.query(`
      CREATE TABLE checkpoint_moves (name text NOT NULL, global_position bigint NOT NULL);
      CREATE FUNCTION log_checkpoint_move() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO checkpoint_moves VALUES (NEW.processor_name, NEW.global_position); RETURN NEW; END $$;
      CREATE TRIGGER checkpoint_moves AFTER UPDATE ON processor_checkpoints
        FOR EACH ROW EXECUTE FUNCTION log_checkpoint_move();`);
    // 1,000 tag changes in appends of 100, a retirement after the 3rd, 6th and 9th: with windows
    // of 50 events, one retirement in every 6 windows and 2 windows of others at the end.
    for (let chunk = 1; chunk <= 10; chunk++) {
      const tags = Array.from({ length: 100 }, (_, i) => aTagsChanged(chunk * 100 + i));
      await f.store.append(`device:s${chunk}`, tags, { expectedVersion: "no_stream" });
      if (chunk % 3 !== 0) continue;
      const revision = { fleet: "main", number: chunk };
      await f.store.append(
        `revision:main:${chunk}`,
        [{ type: "RevisionRetired", data: { revision, reason: "old" }, metadata: someMetadata() }],
        { expectedVersion: "no_stream" },
      );
    }
    const { rows: log } = await f.pool.query<{ event_id: string; type: string; p: string }>(
      "SELECT event_id, type, global_position AS p FROM events ORDER BY transaction_id, global_position",
    );
    const retired = log.filter((e) => e.type === "RevisionRetired").map((e) => e.event_id);
    const last = BigInt(log.at(-1)?.p ?? 0);
    const seen: string[] = [];
    const processor = runProcessor(f.store, {
      name: "sparse",
      batchSize: 50,
      types: ["RevisionRetired"],
      handle: async (events) => {
        seen.push(...events.map((e) => e.eventId));
      },
    });
    await waitFor(() => processor.position.globalPosition === last);
    await processor.stop();
    expect(seen).toEqual(retired);
    const { rows } = await f.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM checkpoint_moves WHERE name = 'sparse'",
    );
    // One commit per window holding a retirement, one for the others after the last: 4, where a
    // commit per window would be 21.
    expect(rows[0]?.n).toBe(4);
  });

  it("reconnects after losing its connection and carries on without loss or repeat", async () => {
    const seen: string[] = [];
    const errors: Error[] = [];
    const processor = runProcessor(f.store, {
      name: "resilient",
      pollIntervalMs: 50,
      retryDelayMs: 50,
      onError: (e) => errors.push(e),
      handle: async (events) => {
        seen.push(...events.map((e) => e.eventId));
      },
    });
    await f.store.append("device:p5", [aTagsChanged(1)], { expectedVersion: "any" });
    await waitFor(() => seen.length === 1);
    const killed = await f.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sc-processor:resilient'",
    );
    expect(killed.rowCount).toBe(1);
    await f.store.append("device:p5", [aTagsChanged(2), aTagsChanged(3)], {
      expectedVersion: "any",
    });
    await waitFor(() => seen.length === 3);
    await sleep(200);
    await processor.stop();
    expect(errors.length).toBeGreaterThan(0); // it did notice
    const { events } = await f.store.readStream("device:p5");
    expect(seen).toEqual(events.map((e) => e.eventId));
  });

  it("when its checkpoint row moved while it handled a batch, rolls the batch back, reads the row again and follows it", async () => {
    const seen: string[][] = [];
    const errors: Error[] = [];
    let held: Promise<void> | undefined;
    let release = () => {};
    const processor = runProcessor(f.store, {
      name: "followed",
      pollIntervalMs: 20,
      retryDelayMs: 50,
      onError: (e) => errors.push(e),
      handle: async (events, client) => {
        const gate = held; // as it is when the batch comes, whatever the test sets meanwhile
        seen.push(events.map((e) => e.eventId));
        await client.query("INSERT INTO projection SELECT unnest($1::uuid[])", [
          events.map((e) => e.eventId),
        ]);
        await gate;
      },
    });
    await f.store.append("device:p6", [aTagsChanged(1)], { expectedVersion: "no_stream" });
    await waitFor(() => seen.length === 1);
    held = new Promise((resolve) => {
      release = resolve;
    });
    await f.store.append("device:p6", [aTagsChanged(2)], { expectedVersion: 1 });
    await waitFor(() => seen.length === 2);
    // Another writer moves the row past the second event while the batch is in the handler.
    const { events: before } = await f.store.readStream("device:p6");
    await f.pool.query(
      `UPDATE processor_checkpoints SET transaction_id = e.transaction_id, global_position = e.global_position
       FROM events e WHERE processor_name = 'followed' AND e.event_id = $1`,
      [before[1]?.eventId],
    );
    await f.store.append("device:p6", [aTagsChanged(3)], { expectedVersion: 2 });
    held = undefined;
    release();
    const { events } = await f.store.readStream("device:p6");
    const ids = events.map((e) => e.eventId);
    await waitFor(() => seen.at(-1)?.includes(ids[2] ?? "") === true);
    await processor.stop();
    expect(errors.map((e) => e.message)).toEqual([
      "checkpoint of processor followed moved under it: is another instance running?",
    ]);
    // The batch handled under the moved row was rolled back with it; the rest follows the row.
    expect(seen).toEqual([[ids[0]], [ids[1]], [ids[2]]]);
    const { rows } = await f.pool.query<{ event_id: string }>("SELECT event_id FROM projection");
    expect(rows.map((r) => r.event_id).sort()).toEqual([ids[0], ids[2]].sort());
  });

  it("lets only one replica of a processor work and hands over when it stops", async () => {
    const handledBy: string[] = [];
    const start = (tag: string) =>
      runProcessor(f.store, {
        name: "single",
        standbyRetryMs: 50,
        pollIntervalMs: 50,
        handle: async (events) => {
          handledBy.push(...events.map(() => tag));
        },
      });
    const a = start("a");
    await waitFor(() => a.active);
    const b = start("b");
    await f.store.append("device:p4", [aTagsChanged(1)], { expectedVersion: "any" });
    await waitFor(() => handledBy.length === 1);
    await sleep(200);
    expect(b.active).toBe(false);
    await a.stop();
    await waitFor(() => b.active);
    await f.store.append("device:p4", [aTagsChanged(2)], { expectedVersion: "any" });
    await waitFor(() => handledBy.length === 2);
    await b.stop();
    expect(handledBy).toEqual(["a", "b"]);
  });

  it("several processors of one store, reading the same stretches of the log while appends commit, each handle every event of theirs once, in order", async () => {
    const retired = (n: number) => ({
      type: "RevisionRetired",
      data: { revision: { fleet: "main", number: n }, reason: "old" },
      metadata: someMetadata(),
    });
    const seen = new Map<string, string[]>();
    const start = (name: string, batchSize: number, types?: string[]) => {
      seen.set(name, []);
      return runProcessor(f.store, {
        name,
        batchSize,
        ...(types ? { types } : {}),
        pollIntervalMs: 20,
        handle: async (events) => {
          seen.get(name)?.push(...events.map((e) => e.eventId));
        },
      });
    };
    const processors = [
      start("small", 7),
      start("large", 500),
      start("retirements", 5, ["RevisionRetired"]),
    ];
    // 30 writers, 20 appends each, committing in whatever order the server takes them.
    await Promise.all(
      Array.from({ length: 30 }, async (_, w) => {
        for (let i = 0; i < 20; i++) {
          const events = i % 4 === 0 ? [retired(i), aTagsChanged(i)] : [aTagsChanged(i)];
          await f.store.append(`device:w${w}`, events, { expectedVersion: "any" });
        }
      }),
    );
    const total = await f.pool.query<{ n: number; retired: number }>(
      "SELECT count(*)::int AS n, (count(*) FILTER (WHERE type = 'RevisionRetired'))::int AS retired FROM events",
    );
    const { n, retired: retirements } = total.rows[0] as { n: number; retired: number };
    await waitFor(
      () =>
        seen.get("small")?.length === n &&
        seen.get("large")?.length === n &&
        seen.get("retirements")?.length === retirements,
      30_000,
    );
    await sleep(200); // nothing more may come
    await Promise.all(processors.map((p) => p.stop()));
    const log = await f.store.readAll({ after: START, limit: 100_000 });
    const inOrder = log.events.map((e) => e.eventId);
    expect(seen.get("small")).toEqual(inOrder);
    expect(seen.get("large")).toEqual(inOrder);
    expect(seen.get("retirements")).toEqual(
      log.events.filter((e) => e.type === "RevisionRetired").map((e) => e.eventId),
    );
    // Some reads were served from another processor's read.
    expect(f.store.windows.counts.shared).toBeGreaterThan(0);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
