import type pg from "pg";
import type { NewEvent, RecordedEvent } from "./envelope.js";
import { IllegalStateError } from "./errors.js";
import { handleCommand, handleMultiStreamCommand } from "./handle-command.js";
import { RetriesExhaustedError } from "./retry-policy.js";
import {
  aMigratedStore,
  aTagsChanged,
  type StoreFixture,
  someMetadata,
} from "./testing/event-store.test-helper.js";

// A tiny counter aggregate on the device stream: each "increment" records the tags {n: next}.
type Counter = { n: number };
const evolve = (_state: Counter, event: RecordedEvent): Counter => ({
  n: Number((event.data as { tags: { n: string } }).tags.n),
});
const increment = (state: Counter): NewEvent[] => [
  {
    type: "DeviceTagsChanged",
    data: { tags: { n: String(state.n + 1) } },
    metadata: someMetadata(),
  },
];

describe("handleCommand", () => {
  let f: StoreFixture;
  beforeAll(async () => {
    f = await aMigratedStore();
  });
  afterAll(() => f.dispose());

  it("retries read-decide-append on conflicts so concurrent commands all land", async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () =>
        handleCommand(f.store, "device:counter", increment, evolve, () => ({ n: 0 }), {
          maxAttempts: 20,
        }),
      ),
    );
    expect(outcomes.map((o) => o.state.n).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const { events, version } = await f.store.readStream("device:counter");
    expect(version).toBe(8);
    expect(events.map((e) => (e.data as { tags: { n: string } }).tags.n)).toEqual([
      "1",
      "2",
      "3",
      "4",
      "5",
      "6",
      "7",
      "8",
    ]);
  });

  it("appends nothing when decide refuses or has nothing to say", async () => {
    const refuse = () => {
      throw new IllegalStateError("counter is frozen");
    };
    await expect(
      handleCommand(f.store, "device:frozen", refuse, evolve, () => ({ n: 0 })),
    ).rejects.toThrow(IllegalStateError);
    const idle = await handleCommand(
      f.store,
      "device:frozen",
      () => [],
      evolve,
      () => ({ n: 0 }),
    );
    expect(idle).toEqual({ state: { n: 0 }, events: [], version: 0 });
    expect((await f.store.readStream("device:frozen")).events).toEqual([]);
  });
});

describe("handleMultiStreamCommand", () => {
  let f: StoreFixture;
  beforeAll(async () => {
    f = await aMigratedStore();
  });
  afterAll(() => f.dispose());

  const tagsOf = (events: readonly RecordedEvent[]) =>
    events.map((e) => (e.data as { tags: { n: string } }).tags.n);

  it("appends to every stream it decided on, with the versions it read, retrying conflicts", async () => {
    // Eight commands share one stream (a token's uses) and each has its own (a device).
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        handleMultiStreamCommand(
          f.store,
          ["device:shared", `device:own-${i}`],
          (streams) => {
            const shared = streams.get("device:shared")?.version ?? 0;
            return {
              events: [
                { streamId: "device:shared", events: [aTagsChanged(shared + 1)] },
                { streamId: `device:own-${i}`, events: [aTagsChanged(shared + 1)] },
              ],
              result: shared + 1,
            };
          },
          { maxAttempts: 30 },
        ),
      ),
    );
    expect(outcomes.map((o) => o.result).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const shared = await f.store.readStream("device:shared");
    expect(tagsOf(shared.events)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8"]);
    for (const [i, outcome] of outcomes.entries()) {
      const own = await f.store.readStream(`device:own-${i}`);
      // Each device stream holds exactly the use its command won, never one of a lost attempt.
      expect(tagsOf(own.events)).toEqual([String(outcome.result)]);
      expect(outcome.versions).toEqual(
        new Map([
          ["device:shared", outcome.result],
          [`device:own-${i}`, 1],
        ]),
      );
    }
  });

  it("answers without writing when decide has no events, and refuses a stream it did not read", async () => {
    const idle = await handleMultiStreamCommand(f.store, ["device:quiet"], () => ({
      events: [{ streamId: "device:quiet", events: [] }],
      result: "refused",
    }));
    expect(idle).toEqual({ result: "refused", versions: new Map() });
    await expect(
      handleMultiStreamCommand(f.store, ["device:quiet"], () => ({
        events: [{ streamId: "device:elsewhere", events: [aTagsChanged(1)] }],
        result: undefined,
      })),
    ).rejects.toThrow("command appends to device:elsewhere, a stream it did not read");
    expect((await f.store.readStream("device:quiet")).version).toBe(0);
    expect((await f.store.readStream("device:elsewhere")).version).toBe(0);
  });

  it("gives up with RetriesExhaustedError when every attempt loses, writing nothing of its own", async () => {
    let attempts = 0;
    const error = await handleMultiStreamCommand(
      f.store,
      ["device:contended", "device:bystander"],
      async (streams) => {
        attempts++;
        // Another writer moves the stream after each read.
        await f.store.append("device:contended", [aTagsChanged(0)], { expectedVersion: "any" });
        const version = streams.get("device:contended")?.version ?? 0;
        return {
          events: [
            { streamId: "device:contended", events: [aTagsChanged(version + 1)] },
            { streamId: "device:bystander", events: [aTagsChanged(version + 1)] },
          ],
          result: undefined,
        };
      },
      { maxAttempts: 3, baseDelayMs: 1 },
    ).catch((e: unknown) => e);
    expect(attempts).toBe(3);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as Error).message).toMatch(
      /^command on device:contended, device:bystander: gave up after 3 attempts/,
    );
    expect(tagsOf((await f.store.readStream("device:contended")).events)).toEqual(["0", "0", "0"]);
    expect((await f.store.readStream("device:bystander")).version).toBe(0);
  });
});

describe("PostgresEventStore.transaction", () => {
  let f: StoreFixture;
  beforeAll(async () => {
    f = await aMigratedStore();
    await f.pool.query("CREATE TABLE tx_side (stream_id text, n int, PRIMARY KEY (stream_id, n))");
  });
  afterAll(() => f.dispose());

  /** In one transaction: read the stream, append the next tag, and record it in a side table. */
  const next = (streamId: string) => (client: pg.ClientBase) =>
    (async () => {
      const { version } = await f.store.readStream(streamId, { client });
      await f.store.append(streamId, [aTagsChanged(version + 1)], {
        expectedVersion: version === 0 ? "no_stream" : version,
        client,
      });
      await client.query("INSERT INTO tx_side VALUES ($1, $2)", [streamId, version + 1]);
      return version + 1;
    })();

  it("commits appends and other writes together; conflicting transactions run again", async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        f.store.transaction("counting", next("device:tx"), { maxAttempts: 30 }),
      ),
    );
    expect(results.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    const { rows } = await f.pool.query<{ n: number }>(
      "SELECT n FROM tx_side WHERE stream_id = 'device:tx' ORDER BY n",
    );
    expect(rows.map((r) => r.n)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await f.store.readStream("device:tx")).version).toBe(6);
  });

  it("rolls everything back on a failure and does not retry what is not a conflict", async () => {
    let attempts = 0;
    await expect(
      f.store.transaction("failing", async (client) => {
        attempts++;
        await next("device:tx-failed")(client);
        throw new IllegalStateError("changed my mind");
      }),
    ).rejects.toThrow(IllegalStateError);
    expect(attempts).toBe(1);
    expect((await f.store.readStream("device:tx-failed")).version).toBe(0);
    const { rows } = await f.pool.query(
      "SELECT n FROM tx_side WHERE stream_id = 'device:tx-failed'",
    );
    expect(rows).toEqual([]);
  });
});
