import { randomUUID } from "node:crypto";
import { type PostgresEventStore, rolloutStreamId } from "@statecast/events";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import { postSimRevision } from "../testing/rollout-sim/device-sim.test-helper.js";
import { callJson, fleetOf } from "./rollout.test-helper.js";
import { RolloutStates } from "./rollout-states.js";

const rev = (number: number) => ({ fleet: "states", number });

/** The store, counting the versions `readStream` was asked to read from. */
function counting(store: PostgresEventStore) {
  const readsFrom: number[] = [];
  const counted = new Proxy(store, {
    get(target, key, receiver) {
      if (key === "readStream")
        return (streamId: string, options: { fromVersion?: number } = {}) => {
          readsFrom.push(options.fromVersion ?? 1);
          return target.readStream(streamId, options as never);
        };
      const value = Reflect.get(target, key, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store: counted, readsFrom };
}

describe("RolloutStates behind a writer's uncommitted append", () => {
  let app: TestApp;
  let rolloutId: string;

  beforeAll(async () => {
    app = await startTestApp();
    await postSimRevision(app.store, rev(1));
    await postSimRevision(app.store, rev(2));
    await fleetOf(app, "states", "s", 3, rev(1));
    const definition = {
      revision: rev(2),
      selector: { fleet: "states" },
      waves: [{ size: { percent: 100 }, minSample: 1, soakSeconds: 0, maxFailures: { count: 1 } }],
    };
    const created = await callJson(app, "/v1/rollouts", { method: "POST", json: definition });
    expect(created.status).toBe(201);
    rolloutId = String(created.body.rolloutId);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  it("serves a reader the state the writer's entry replaced, and refolds nothing", async () => {
    const { store, readsFrom } = counting(app.store);
    const states = new RolloutStates(store);
    const first = await states.load(rolloutId);
    expect(first.version).toBeGreaterThan(0);
    expect(readsFrom).toEqual([1]);

    // A writer appends in its transaction and remembers its state before it commits.
    const streamId = rolloutStreamId(rolloutId);
    const { events } = await app.store.readStream(streamId);
    const last = events.at(-1)!;
    const client = await app.pool.connect();
    try {
      await client.query("BEGIN");
      const eventId = randomUUID();
      const appended = await app.store.append(
        streamId,
        [{ type: last.type, data: last.data, metadata: last.metadata, eventId }],
        { expectedVersion: first.version, client },
      );
      states.remember({ ...first, version: appended.nextExpectedVersion, lastEventId: eventId });

      // A reader outside the transaction sees the committed stream only.
      const read = await states.load(rolloutId);
      expect(read).toMatchObject({ version: first.version, lastEventId: first.lastEventId });
      expect(read.state).toBe(first.state);
      expect(readsFrom).toEqual([1]); // no second fold from the start

      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
    // The write rolled back: its entry is not used, the one it replaced is.
    const after = await states.load(rolloutId);
    expect(after).toMatchObject({ version: first.version, lastEventId: first.lastEventId });
    expect(readsFrom).toEqual([1]);

    // Committed news are read from the version the kept state ends at.
    await callJson(app, `/v1/rollouts/${rolloutId}/start`, { method: "POST" });
    const started = await states.load(rolloutId);
    expect(started.version).toBeGreaterThan(first.version);
    expect(readsFrom).toEqual([1, first.version + 1]);
  });
});
