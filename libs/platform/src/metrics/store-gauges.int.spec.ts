import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  createRegistry,
  deviceCatalog,
  eventStoreMigrations,
  migrate,
  type NewEvent,
  PostgresEventStore,
  startRelay,
} from "@statecast/events";
import {
  createTestDatabase,
  startTestNats,
  type TestDatabase,
  type TestNats,
} from "@statecast/testing";
import pg from "pg";
import { Metrics } from "./metrics.js";
import { parseFamilyTypes, parseSamples } from "./prometheus-parse.js";
import { registerStoreGauges } from "./store-gauges.js";

const RELAY_LAG = 'statecast_processor_lag_events{processor="relay:SC_EVENTS"}';

describe("gauges read from Postgres", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let metrics: Metrics;

  beforeEach(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    metrics = new Metrics();
    registerStoreGauges(metrics, pool);
  });

  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  it("leaves families empty, without errors, where the tables do not exist", async () => {
    const text = await metrics.render();
    expect([...parseFamilyTypes(text).keys()]).toEqual(
      expect.arrayContaining([
        "statecast_rollouts",
        "statecast_devices",
        "statecast_processor_lag_events",
      ]),
    );
    expect([...parseSamples(text).keys()]).toEqual([]);
  });

  describe("relay lag", () => {
    let nats: TestNats;
    let nc: NatsConnection;
    let store: PostgresEventStore;

    beforeEach(async () => {
      await migrate(db.url, eventStoreMigrations);
      store = new PostgresEventStore(pool, createRegistry(deviceCatalog));
      nats = await startTestNats();
      nc = await connect({ servers: nats.url });
    });

    afterEach(async () => {
      await nc.close();
      await store.close();
      await nats.dispose();
    });

    it("counts the events committed after the relay's checkpoint, and falls back as it publishes", async () => {
      let relay = await startRelay(store, { nats: nc, pollIntervalMs: 20 });
      await relay.stop();
      expect(await sample(RELAY_LAG)).toBe(0);

      for (let n = 1; n <= 3; n++) {
        await store.append(`device:dev-${n}`, [aTagsChanged(n)], { expectedVersion: "any" });
      }
      expect(await sample(RELAY_LAG)).toBe(3);

      relay = await startRelay(store, { nats: nc, pollIntervalMs: 20 });
      try {
        expect(await until(async () => (await sample(RELAY_LAG)) === 0)).toBe(true);
      } finally {
        await relay.stop();
      }
    });
  });

  async function sample(series: string): Promise<number | undefined> {
    return parseSamples(await metrics.render()).get(series);
  }
});

function aTagsChanged(n: number): NewEvent {
  return {
    type: "DeviceTagsChanged",
    data: { tags: { n: String(n) } },
    metadata: {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: "operator:metrics-test",
      now: new Date().toISOString(),
    },
  };
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}
