import { ConcurrencyError } from "./errors.js";
import type { AppendResult } from "./postgres-event-store.js";
import {
  aMigratedStore,
  aTagsChanged,
  type StoreFixture,
} from "./testing/event-store.test-helper.js";

// Appends made in the same turn of the event loop are grouped (append-group.ts): these tests fire
// bursts and check that each caller still gets exactly the outcome it would have had alone.
describe("PostgresEventStore group commit", () => {
  let f: StoreFixture;
  beforeAll(async () => {
    f = await aMigratedStore();
  });
  afterAll(() => f.dispose());

  const lastPosition = async () => {
    const { rows } = await f.pool.query<{ p: string }>(
      "SELECT coalesce(max(global_position), 0) AS p FROM events",
    );
    return rows[0]?.p ?? "0";
  };
  const transactionsAfter = async (position: string) => {
    const { rows } = await f.pool.query<{ n: string }>(
      "SELECT count(DISTINCT transaction_id) AS n FROM events WHERE global_position > $1",
      [position],
    );
    return Number(rows[0]?.n);
  };

  it("commits a burst in shared transactions, refusing only the streams whose expectation fails", async () => {
    const streams = Array.from({ length: 24 }, (_, i) => `device:g${i}`);
    for (const s of streams) await f.store.append(s, [aTagsChanged(0)], { expectedVersion: 0 });
    const fresh = Array.from({ length: 8 }, (_, i) => `device:gnew${i}`);
    const before = await lastPosition();
    const outcomes = await Promise.allSettled([
      ...streams.map((s, i) =>
        f.store.append(s, [aTagsChanged(1), aTagsChanged(2)], {
          expectedVersion: i % 3 === 0 ? 5 : i % 3 === 1 ? 1 : "any",
        }),
      ),
      ...fresh.map((s) => f.store.append(s, [aTagsChanged(1)], { expectedVersion: "no_stream" })),
    ]);
    streams.forEach((s, i) => {
      const outcome = outcomes[i];
      if (i % 3 === 0) {
        expect(outcome?.status).toBe("rejected");
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
        expect((outcome as PromiseRejectedResult).reason.message).toMatch(
          `stream ${s} is at version 1, expected to be at version 5`,
        );
      } else {
        expect(outcome?.status).toBe("fulfilled");
        expect((outcome as PromiseFulfilledResult<AppendResult>).value.nextExpectedVersion).toBe(3);
      }
    });
    for (const outcome of outcomes.slice(streams.length)) {
      expect((outcome as PromiseFulfilledResult<AppendResult>).value.nextExpectedVersion).toBe(1);
    }
    for (const [i, s] of streams.entries()) {
      const { events } = await f.store.readStream(s);
      expect(events.map((e) => e.streamVersion)).toEqual(i % 3 === 0 ? [1] : [1, 2, 3]);
    }
    // 24 appends that wrote went out in far fewer transactions than appends.
    const written = [...streams.filter((_, i) => i % 3 !== 0), ...fresh];
    expect(await transactionsAfter(before)).toBeLessThan(written.length / 2);
  });

  it("lets exactly one of two same-version appends in one burst win", async () => {
    await f.store.append("device:gr", [aTagsChanged(0)], { expectedVersion: "no_stream" });
    const others = Array.from({ length: 10 }, (_, i) => `device:gro${i}`);
    const [a, b, ...rest] = await Promise.allSettled([
      f.store.append("device:gr", [aTagsChanged(1)], { expectedVersion: 1 }),
      f.store.append("device:gr", [aTagsChanged(2)], { expectedVersion: 1 }),
      ...others.map((s) => f.store.append(s, [aTagsChanged(1)], { expectedVersion: "any" })),
    ]);
    expect([a?.status, b?.status].sort()).toEqual(["fulfilled", "rejected"]);
    const lost = [a, b].find((o) => o?.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(ConcurrencyError);
    expect(rest.every((o) => o.status === "fulfilled")).toBe(true);
    expect((await f.store.readStream("device:gr")).version).toBe(2);
  });

  it("does not hold a burst up behind a stream another transaction has locked", async () => {
    await f.store.append("device:held", [aTagsChanged(0)], { expectedVersion: "no_stream" });
    const others = Array.from({ length: 10 }, (_, i) => `device:free${i}`);
    for (const s of others) await f.store.append(s, [aTagsChanged(0)], { expectedVersion: 0 });
    const holder = await f.pool.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM streams WHERE stream_id = 'device:held' FOR UPDATE");
      let heldDone = false;
      const held = f.store
        .append("device:held", [aTagsChanged(1)], { expectedVersion: 1 })
        .finally(() => {
          heldDone = true;
        });
      const free = await Promise.all(
        others.map((s) => f.store.append(s, [aTagsChanged(1)], { expectedVersion: 1 })),
      );
      expect(free.map((r) => r.nextExpectedVersion)).toEqual(others.map(() => 2));
      expect(heldDone).toBe(false);
      await holder.query("COMMIT");
      expect((await held).nextExpectedVersion).toBe(2);
    } finally {
      holder.release();
    }
  });

  it("fails only the append that replays a recorded event id", async () => {
    await f.store.append("device:dup", [aTagsChanged(0)], { expectedVersion: "no_stream" });
    const recorded = (await f.store.readStream("device:dup")).events[0]?.eventId;
    const others = Array.from({ length: 10 }, (_, i) => `device:nodup${i}`);
    const [replay, ...rest] = await Promise.allSettled([
      f.store.append("device:dupe2", [{ ...aTagsChanged(1), eventId: recorded }], {
        expectedVersion: "any",
      }),
      ...others.map((s) => f.store.append(s, [aTagsChanged(1)], { expectedVersion: "any" })),
    ]);
    expect(replay?.status).toBe("rejected");
    expect((replay as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    expect(rest.every((o) => o.status === "fulfilled")).toBe(true);
    expect((await f.store.readStream("device:dupe2")).events).toEqual([]);
    for (const s of others) expect((await f.store.readStream(s)).version).toBe(1);
  });
});
