import { ConcurrencyError, ValidationError } from "./errors.js";
import { START } from "./positions.js";
import {
  aMigratedStore,
  aTagsChanged,
  countEvents,
  type StoreFixture,
  someMetadata,
} from "./testing/event-store.test-helper.js";

describe("PostgresEventStore.appendMany", () => {
  let f: StoreFixture;
  beforeAll(async () => {
    f = await aMigratedStore();
  });
  afterAll(() => f.dispose());

  const versionOf = async (streamId: string) =>
    (await f.store.readStream(streamId)).events.map((e) => e.streamVersion);

  it("appends to new and existing streams in one statement, each in its own version order", async () => {
    await f.store.append("device:m-old", [aTagsChanged(1)], { expectedVersion: "no_stream" });
    await f.store.append("device:m-any", [aTagsChanged(1), aTagsChanged(2)], {
      expectedVersion: "any",
    });
    const result = await f.store.appendMany([
      {
        streamId: "device:m-new",
        events: [aTagsChanged(1), aTagsChanged(2)],
        expectedVersion: "no_stream",
      },
      { streamId: "device:m-old", events: [aTagsChanged(2)], expectedVersion: 1 },
      { streamId: "device:m-any", events: [aTagsChanged(3)], expectedVersion: "any" },
      { streamId: "device:m-fresh-any", events: [aTagsChanged(1)], expectedVersion: "any" },
    ]);
    expect(Object.fromEntries(result.versions)).toEqual({
      "device:m-new": 2,
      "device:m-old": 2,
      "device:m-any": 3,
      "device:m-fresh-any": 1,
    });
    expect(await versionOf("device:m-new")).toEqual([1, 2]);
    expect(await versionOf("device:m-old")).toEqual([1, 2]);
    expect(await versionOf("device:m-any")).toEqual([1, 2, 3]);
    const newStream = await f.store.readStream("device:m-new");
    expect(newStream.events.map((e) => e.data)).toEqual([
      { tags: { n: "1" } },
      { tags: { n: "2" } },
    ]);
    // Read-all delivers them in the order given (one transaction, positions in input order).
    const all = await f.store.readAll({ after: START, limit: 100 });
    const mine = all.events
      .filter((e) => e.globalPosition > 3n)
      .map((e) => `${e.streamId}@${e.streamVersion}`);
    expect(mine).toEqual([
      "device:m-new@1",
      "device:m-new@2",
      "device:m-old@2",
      "device:m-any@3",
      "device:m-fresh-any@1",
    ]);
    expect(result.lastGlobalPosition).toBe(all.events.at(-1)?.globalPosition);
  });

  it("stores ids, data and metadata that need escaping as given, each event with its own metadata", async () => {
    const odd = 'device:we"ird,{id}\\ \u00e9 NULL';
    const other = "device:plain-esc";
    const tags = { 'q"uote': "back\\slash", "comma,brace{}": "line\nbreak \u{1f680}", NULL: "" };
    const first = someMetadata({ correlationId: 'c-"1",{x}' });
    const second = someMetadata({ correlationId: "c-2" });
    await f.store.appendMany([
      {
        streamId: odd,
        events: [
          { type: "DeviceTagsChanged", data: { tags }, metadata: first },
          { type: "DeviceTagsChanged", data: { tags: { n: "2" } }, metadata: second },
          { type: "DeviceTagsChanged", data: { tags: { n: "3" } }, metadata: second },
        ],
        expectedVersion: "no_stream",
      },
      { streamId: other, events: [aTagsChanged(1, first)], expectedVersion: "any" },
    ]);
    const stream = await f.store.readStream(odd);
    expect(stream.events.map((e) => [e.streamId, e.streamVersion, e.data])).toEqual([
      [odd, 1, { tags }],
      [odd, 2, { tags: { n: "2" } }],
      [odd, 3, { tags: { n: "3" } }],
    ]);
    expect(stream.events.map((e) => e.metadata.correlationId)).toEqual(['c-"1",{x}', "c-2", "c-2"]);
    const { rows } = await f.pool.query<{ stream_type: string; version: number }>(
      "SELECT stream_type, version FROM streams WHERE stream_id = $1",
      [odd],
    );
    expect(rows).toEqual([{ stream_type: "device", version: 3 }]);
    expect((await f.store.readStream(other)).events[0]?.metadata.correlationId).toBe('c-"1",{x}');
  });

  it("refuses an event id that is not a UUID before any I/O", async () => {
    const before = await countEvents(f.pool);
    await expect(
      f.store.appendMany([
        {
          streamId: "device:bad-id",
          events: [{ ...aTagsChanged(1), eventId: '1","2' }],
          expectedVersion: "any",
        },
      ]),
    ).rejects.toThrow(ValidationError);
    expect(await countEvents(f.pool)).toBe(before);
  });

  it("writes nothing when one stream's expected version does not hold, and names that stream", async () => {
    await f.store.append("device:c1", [aTagsChanged(1)], { expectedVersion: "no_stream" });
    await f.store.append("device:c2", [aTagsChanged(1), aTagsChanged(2)], {
      expectedVersion: "no_stream",
    });
    const before = await countEvents(f.pool);
    const attempt = f.store.appendMany([
      { streamId: "device:c1", events: [aTagsChanged(2)], expectedVersion: 1 },
      { streamId: "device:c2", events: [aTagsChanged(3)], expectedVersion: 1 },
      { streamId: "device:c3", events: [aTagsChanged(1)], expectedVersion: "no_stream" },
      { streamId: "device:c1x", events: [aTagsChanged(1)], expectedVersion: 4 },
    ]);
    await expect(attempt).rejects.toThrow(ConcurrencyError);
    await expect(attempt).rejects.toThrow(
      /stream device:c2 is at version 2, expected to be at version 1; stream device:c1x does not exist, expected to be at version 4/,
    );
    await expect(attempt).rejects.not.toThrow(/device:c1 is/);
    expect(await countEvents(f.pool)).toBe(before);
    expect(await versionOf("device:c1")).toEqual([1]);
    const { rows } = await f.pool.query(
      "SELECT 1 FROM streams WHERE stream_id IN ('device:c3', 'device:c1x')",
    );
    expect(rows).toEqual([]);
  });

  it("refuses a stream expected not to exist that does, writing nothing", async () => {
    await f.store.append("device:e1", [aTagsChanged(1)], { expectedVersion: "no_stream" });
    const before = await countEvents(f.pool);
    await expect(
      f.store.appendMany([
        { streamId: "device:e2", events: [aTagsChanged(1)], expectedVersion: "any" },
        { streamId: "device:e1", events: [aTagsChanged(2)], expectedVersion: "no_stream" },
      ]),
    ).rejects.toThrow(/stream device:e1 is at version 1, expected not to exist/);
    expect(await countEvents(f.pool)).toBe(before);
  });

  it("validates every event before any I/O: one bad payload writes nothing", async () => {
    const before = await countEvents(f.pool);
    const attempt = f.store.appendMany([
      { streamId: "device:v1", events: [aTagsChanged(1)], expectedVersion: "any" },
      {
        streamId: "device:v2",
        events: [{ ...aTagsChanged(1), data: { tags: "not a map" } }],
        expectedVersion: "any",
      },
    ]);
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toThrow(/DeviceTagsChanged/);
    expect(await countEvents(f.pool)).toBe(before);
  });

  it("refuses an empty list, an empty stream, a repeated stream and a bad expected version", async () => {
    await expect(f.store.appendMany([])).rejects.toThrow(/at least one stream/);
    await expect(
      f.store.appendMany([{ streamId: "device:x", events: [], expectedVersion: "any" }]),
    ).rejects.toThrow(/nothing to append to device:x/);
    const twice = {
      streamId: "device:x",
      events: [aTagsChanged(1)],
      expectedVersion: "any" as const,
    };
    await expect(f.store.appendMany([twice, twice])).rejects.toThrow(/device:x more than once/);
    await expect(
      f.store.appendMany([
        { streamId: "device:x", events: [aTagsChanged(1)], expectedVersion: -1 },
      ]),
    ).rejects.toThrow(ValidationError);
  });

  it("inside a caller's transaction, commits and rolls back with it", async () => {
    const client = await f.pool.connect();
    try {
      await client.query("BEGIN");
      await f.store.appendMany(
        [{ streamId: "device:tx1", events: [aTagsChanged(1)], expectedVersion: "no_stream" }],
        { client },
      );
      await client.query("ROLLBACK");
      expect(await versionOf("device:tx1")).toEqual([]);
      await client.query("BEGIN");
      await f.store.appendMany(
        [{ streamId: "device:tx1", events: [aTagsChanged(1)], expectedVersion: "no_stream" }],
        { client },
      );
      await client.query("COMMIT");
      expect(await versionOf("device:tx1")).toEqual([1]);
    } finally {
      client.release();
    }
  });

  it("lets one of two concurrent appends over the same streams win, the other writing nothing", async () => {
    await f.store.append("device:r1", [aTagsChanged(0)], { expectedVersion: "no_stream" });
    await f.store.append("device:r2", [aTagsChanged(0)], { expectedVersion: "no_stream" });
    const before = await countEvents(f.pool);
    const both = (n: number, order: string[]) =>
      f.store.appendMany(
        order.map((streamId) => ({ streamId, events: [aTagsChanged(n)], expectedVersion: 1 })),
      );
    const outcomes = await Promise.allSettled([
      both(10, ["device:r1", "device:r2"]),
      both(20, ["device:r2", "device:r1"]),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const lost = outcomes.find((o) => o.status === "rejected");
    expect(lost?.reason).toBeInstanceOf(ConcurrencyError);
    expect(await countEvents(f.pool)).toBe(before + 2);
    const [r1, r2] = [await f.store.readStream("device:r1"), await f.store.readStream("device:r2")];
    expect(r1.events.at(-1)?.data).toEqual(r2.events.at(-1)?.data);
  });
});

describe("PostgresEventStore.readStreams", () => {
  let f: StoreFixture;
  beforeAll(async () => {
    f = await aMigratedStore();
  });
  afterAll(() => f.dispose());

  it("reads several streams in one query, each in version order, absent ones empty", async () => {
    await f.store.appendMany([
      { streamId: "device:s1", events: [aTagsChanged(1), aTagsChanged(2)], expectedVersion: "any" },
      { streamId: "device:s2", events: [aTagsChanged(7)], expectedVersion: "any" },
    ]);
    const streams = await f.store.readStreams(["device:s2", "device:s1", "device:none"]);
    expect(streams.get("device:s1")?.events.map((e) => e.data)).toEqual([
      { tags: { n: "1" } },
      { tags: { n: "2" } },
    ]);
    expect(streams.get("device:s1")?.version).toBe(2);
    expect(streams.get("device:s2")?.version).toBe(1);
    expect(streams.get("device:none")).toEqual({ events: [], version: 0 });
  });
});
