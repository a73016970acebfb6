import type { NewEvent, RecordedEvent } from "./envelope.js";
import { IllegalStateError } from "./errors.js";
import { handleCommand } from "./handle-command.js";
import {
  aMigratedStore,
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
