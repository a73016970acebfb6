import { setTimeout as sleep } from "node:timers/promises";
import type { RecordedEvent } from "./envelope.js";
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
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
