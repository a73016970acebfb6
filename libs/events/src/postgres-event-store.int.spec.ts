import { randomUUID } from "node:crypto";
import { ConcurrencyError, ValidationError } from "./errors.js";
import { START } from "./positions.js";
import {
  aMigratedStore,
  aTagsChanged,
  countEvents,
  type StoreFixture,
  someMetadata,
} from "./testing/event-store.test-helper.js";

/** Waits until Postgres' clock is past the millisecond of `instant` (no sub-ms timing assumed). */
async function untilDbClockPasses(pool: StoreFixture["pool"], instant: Date): Promise<void> {
  for (;;) {
    const { rows } = await pool.query<{ now: Date }>("SELECT clock_timestamp() AS now");
    if ((rows[0] as { now: Date }).now > instant) return;
  }
}

describe("PostgresEventStore", () => {
  let f: StoreFixture;
  beforeAll(async () => {
    f = await aMigratedStore();
  });
  afterAll(() => f.dispose());

  it("tells a stream's head and which event sits at a version", async () => {
    expect(await f.store.streamHead("device:head", 0)).toBeUndefined();
    const tags = [aTagsChanged(1), aTagsChanged(2)].map((e) => ({ ...e, eventId: randomUUID() }));
    await f.store.append("device:head", tags, { expectedVersion: "no_stream" });
    expect(await f.store.streamHead("device:head", 1)).toEqual({
      version: 2,
      eventIdAt: tags[0]?.eventId,
    });
    expect(await f.store.streamHead("device:head", 0)).toEqual({ version: 2, eventIdAt: null });
    expect(await f.store.streamHead("device:head", 3)).toEqual({ version: 2, eventIdAt: null });
  });

  it("appends with expected versions and reads the stream back in order", async () => {
    const first = await f.store.append("device:a1", [aTagsChanged(1), aTagsChanged(2)], {
      expectedVersion: "no_stream",
    });
    expect(first.nextExpectedVersion).toBe(2);
    const second = await f.store.append("device:a1", [aTagsChanged(3)], { expectedVersion: 2 });
    expect(second.nextExpectedVersion).toBe(3);
    expect(second.lastGlobalPosition).toBeGreaterThan(first.lastGlobalPosition);
    const { events, version } = await f.store.readStream("device:a1");
    expect(version).toBe(3);
    expect(events.map((e) => [e.streamVersion, e.data])).toEqual([
      [1, { tags: { n: "1" } }],
      [2, { tags: { n: "2" } }],
      [3, { tags: { n: "3" } }],
    ]);
    expect(events[0]?.metadata.actor).toBe("operator:alice");
    expect(events[0]?.schemaVersion).toBe(1);
    const slice = await f.store.readStream("device:a1", { fromVersion: 2, toVersion: 2 });
    expect(slice.events.map((e) => e.streamVersion)).toEqual([2]);
    const { rows } = await f.pool.query(
      "SELECT stream_type, version FROM streams WHERE stream_id = 'device:a1'",
    );
    expect(rows).toEqual([{ stream_type: "device", version: 3 }]);
  });

  it("reads a stream as it was at an instant, to the millisecond", async () => {
    await f.store.append("device:t1", [aTagsChanged(1)], { expectedVersion: "any" });
    // The instant as an API shows it (milliseconds); recorded_at has microseconds.
    const instant = (await f.store.readStream("device:t1")).events[0]?.recordedAt as Date;
    await untilDbClockPasses(f.pool, instant); // the next event lands in a later millisecond
    await f.store.append("device:t1", [aTagsChanged(2)], { expectedVersion: "any" });
    const atFirst = await f.store.readStream("device:t1", { until: instant });
    expect(atFirst.events.map((e) => e.streamVersion)).toEqual([1]);
    const before = await f.store.readStream("device:t1", { until: new Date(+instant - 1) });
    expect(before.events).toEqual([]);
  });

  it("lets exactly one of two concurrent appends at the same version win, writing nothing of the other", async () => {
    await f.store.append("device:race", [aTagsChanged(0)], { expectedVersion: "no_stream" });
    const before = await countEvents(f.pool);
    const batch = (n: number) => [aTagsChanged(n), aTagsChanged(n + 1), aTagsChanged(n + 2)];
    const outcomes = await Promise.allSettled([
      f.store.append("device:race", batch(10), { expectedVersion: 1 }),
      f.store.append("device:race", batch(20), { expectedVersion: 1 }),
    ]);
    const won = outcomes.filter((o) => o.status === "fulfilled");
    const lost = outcomes.filter((o) => o.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    expect(await countEvents(f.pool)).toBe(before + 3);
    const { events } = await f.store.readStream("device:race");
    const tags = events.slice(1).map((e) => (e.data as { tags: { n: string } }).tags.n);
    expect([
      ["10", "11", "12"],
      ["20", "21", "22"],
    ]).toContainEqual(tags);
  });

  it("lets exactly one of two concurrent creators of a stream win", async () => {
    const outcomes = await Promise.allSettled([
      f.store.append("device:new", [aTagsChanged(1)], { expectedVersion: "no_stream" }),
      f.store.append("device:new", [aTagsChanged(2)], { expectedVersion: "no_stream" }),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const rejected = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ConcurrencyError);
    expect((await f.store.readStream("device:new")).events).toHaveLength(1);
  });

  it("refuses a wrong expected version, a missing stream and a replayed event id", async () => {
    await f.store.append("device:v", [aTagsChanged(1)], { expectedVersion: "no_stream" });
    await expect(
      f.store.append("device:v", [aTagsChanged(2)], { expectedVersion: 5 }),
    ).rejects.toThrow(/stream device:v is at version 1, expected to be at version 5/);
    await expect(
      f.store.append("device:v", [aTagsChanged(2)], { expectedVersion: "no_stream" }),
    ).rejects.toThrow(ConcurrencyError);
    await expect(
      f.store.append("device:nope", [aTagsChanged(2)], { expectedVersion: 1 }),
    ).rejects.toThrow(ConcurrencyError);
    const [recorded] = (await f.store.readStream("device:v")).events;
    await expect(
      f.store.append("device:v", [{ ...aTagsChanged(3), eventId: recorded?.eventId }], {
        expectedVersion: 1,
      }),
    ).rejects.toThrow(ConcurrencyError);
    expect((await f.store.readStream("device:v")).version).toBe(1);
  });

  it("refuses data failing its schema, naming the type and fields, and writes nothing of the batch", async () => {
    const before = await countEvents(f.pool);
    const bad = {
      type: "TargetAssigned",
      data: { revision: { fleet: "main" }, digest: "xyz", seq: 1 },
      metadata: someMetadata(),
    };
    const error = await f.store
      .append("device:bad", [aTagsChanged(1), bad], { expectedVersion: "any" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/invalid TargetAssigned event data/);
    expect((error as ValidationError).details?.map((d) => d.path).sort()).toEqual([
      "digest",
      "revision.number",
    ]);
    expect(await countEvents(f.pool)).toBe(before);
    expect((await f.store.readStream("device:bad")).events).toEqual([]);
  });

  it("refuses an unknown type and bad metadata, writing nothing", async () => {
    const before = await countEvents(f.pool);
    await expect(
      f.store.append("device:u", [{ type: "DeviceExploded", data: {}, metadata: someMetadata() }], {
        expectedVersion: "any",
      }),
    ).rejects.toThrow(/unknown event type "DeviceExploded"/);
    await expect(
      f.store.append(
        "device:u",
        [aTagsChanged(1, { ...someMetadata(), actor: "root" as "operator:x" })],
        {
          expectedVersion: "any",
        },
      ),
    ).rejects.toThrow(/metadata.actor/);
    await expect(f.store.append("device:u", [], { expectedVersion: "any" })).rejects.toThrow(
      ValidationError,
    );
    expect(await countEvents(f.pool)).toBe(before);
  });

  it("keeps each stream's read-all order equal to its version order", async () => {
    const holder = await f.pool.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT pg_current_xact_id()"); // an id older than the next append's
      await f.store.append("device:ord", [aTagsChanged(1)], { expectedVersion: "any" });
      await expect(
        f.store.append("device:ord", [aTagsChanged(2)], { expectedVersion: 1, client: holder }),
      ).rejects.toThrow(/newer than this one/);
      await holder.query("ROLLBACK");
    } finally {
      holder.release();
    }
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        f.store.append("device:ord", [aTagsChanged(i), aTagsChanged(i)], {
          expectedVersion: "any",
        }),
      ),
    );
    const { events } = await f.store.readAll({ after: START, limit: 100_000 });
    const versions = events.filter((e) => e.streamId === "device:ord").map((e) => e.streamVersion);
    expect(versions).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it("appends inside a caller's transaction and keeps nothing when it rolls back", async () => {
    const client = await f.pool.connect();
    try {
      await client.query("BEGIN");
      await f.store.append("device:tx", [aTagsChanged(1)], {
        expectedVersion: "no_stream",
        client,
      });
      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
    expect((await f.store.readStream("device:tx")).events).toEqual([]);
  });

  it("reads all committed events in commit order, filtering by type without stalling", async () => {
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
    const all = await f.store.readAll({ after: START, limit: 10_000 });
    expect(all.events.length).toBe(await countEvents(f.pool));
    const keys = all.events.map((e) => [e.transactionId, e.globalPosition] as const);
    const sorted = [...keys].sort((a, b) =>
      a[0] === b[0] ? Number(a[1] - b[1]) : Number(a[0] - b[0]),
    );
    expect(keys).toEqual(sorted);
    const retired = await f.store.readAll({
      after: START,
      limit: 10_000,
      types: ["RevisionRetired"],
    });
    expect(retired.events.map((e) => e.type)).toEqual(["RevisionRetired"]);
    expect(retired.position).toEqual(all.position);
    const none = await f.store.readAll({ after: all.position, limit: 10 });
    expect(none).toEqual({ events: [], position: all.position });
  });
});
