import { setTimeout as sleep } from "node:timers/promises";
import {
  deviceStreamId,
  eventStoreMigrations,
  migrate,
  PostgresEventStore,
  type RunningProcessor,
  runProcessor,
} from "@statecast/events";
import {
  createTestDatabase,
  indexDefinitions,
  type TestDatabase,
  tableUpdates,
  untilTableUpdates,
} from "@statecast/testing";
import pg from "pg";
import { orchestratorRegistry } from "../projections/projections.module.js";
import { orchestratorMigrations } from "../projections/read-model.migrations.js";
import { reportDevices } from "../testing/rollout-sim/device-batch.test-helper.js";
import { enrollSimDevices } from "../testing/rollout-sim/device-sim.test-helper.js";
import { foldDevice } from "./device-record.js";
import { deviceRegistryProjection as projection } from "./device-registry.projection.js";

const fleet = "main";
const ids = Array.from({ length: 40 }, (_, i) => `reg-${i}`);

describe("the device registry projection", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrate(db.url, [...eventStoreMigrations, ...orchestratorMigrations]);
    pool = new pg.Pool({ connectionString: db.url, max: 8 });
    store = new PostgresEventStore(pool, orchestratorRegistry());
    // Each device: enrolled, online, on revision 1; targeted at 2 (one statement for all), then
    // DOWNLOADING and DONE for all: several events of every device within one window.
    await enrollSimDevices(
      store,
      ids.map((deviceId) => ({ deviceId, fleet })),
      { fleet, number: 1 },
      4,
    );
    await store.appendMany(
      ids.map((deviceId) => ({
        streamId: deviceStreamId(deviceId),
        expectedVersion: 3,
        events: [
          {
            type: "TargetAssigned",
            data: { revision: { fleet, number: 2 }, digest: "b".repeat(64), seq: 1, waveIndex: 0 },
            metadata: {
              actor: "system:rollout",
              correlationId: `t-${deviceId}`,
              causationId: `t-${deviceId}`,
              now: new Date().toISOString(),
            },
          },
        ],
      })),
    );
    const report = (status: "DOWNLOADING" | "DONE") =>
      reportDevices(
        store,
        ids.map((deviceId) => ({
          deviceId,
          targetSeq: 1,
          report:
            status === "DONE"
              ? { kind: "succeeded", status }
              : { kind: "progress", status: "DOWNLOADING" },
        })),
      );
    await report("DOWNLOADING");
    await report("DONE");
  });
  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await db?.drop();
  });

  /** Runs the projection as the orchestrator does until its checkpoint is at the log's end. */
  async function project(): Promise<number[]> {
    const batches: number[] = [];
    const processor = runProcessor(store, {
      name: projection.name,
      types: projection.types,
      ...(projection.batchSize ? { batchSize: projection.batchSize } : {}),
      handle: async (events, client) => {
        await projection.handle(events, client);
        batches.push(events.length);
      },
    });
    await caughtUp(processor);
    await processor.stop();
    return batches;
  }

  async function caughtUp(processor: RunningProcessor): Promise<void> {
    const { rows } = await pool.query<{ p: string }>(
      "SELECT max(global_position) AS p FROM events",
    );
    const end = BigInt(rows[0]?.p ?? 0);
    for (let i = 0; processor.position.globalPosition < end; i++) {
      if (i > 500) throw new Error("the projection did not reach the end of the log");
      await sleep(20);
    }
  }

  /** One presence event appended to each device's stream. */
  async function appendToEach(type: string, data: Record<string, unknown>): Promise<void> {
    for (const deviceId of ids) {
      const id = `${type}-${deviceId}`;
      const now = new Date().toISOString();
      await store.append(
        deviceStreamId(deviceId),
        [
          {
            type,
            data,
            metadata: { actor: "system:presence", correlationId: id, causationId: id, now },
          },
        ],
        { expectedVersion: "any" },
      );
    }
  }

  async function registry(): Promise<Map<string, unknown>> {
    const { rows } = await pool.query<{ device_id: string; last_status: string; record: unknown }>(
      "SELECT device_id, last_status, record FROM device_registry",
    );
    return new Map(rows.map((row) => [row.device_id, row]));
  }

  it("folds a device's several events of one batch as its stream folds them, one row each", async () => {
    const batches = await project();
    // Every device's events came in one batch, folded in memory and written once.
    expect(batches.length).toBe(1);
    const rows = await registry();
    expect(rows.size).toBe(ids.length);
    for (const deviceId of ids) {
      const { events } = await store.readStream(deviceStreamId(deviceId));
      expect(events.map((e) => e.type)).toEqual([
        "DeviceEnrolled",
        "DeviceCameOnline",
        "UpdateSucceeded",
        "TargetAssigned",
        ...events.slice(4).map((e) => e.type),
      ]);
      const record = JSON.parse(JSON.stringify(foldDevice(events)));
      expect(rows.get(deviceId)).toEqual({ device_id: deviceId, last_status: "DONE", record });
      expect(record.currentRevision).toEqual({ fleet, number: 2 });
    }
  });

  it("updates the rows it holds when a later batch brings more of their devices' events", async () => {
    await appendToEach("DeviceWentOffline", { lastSeenAt: new Date().toISOString() });
    await project();
    const rows = await registry();
    for (const deviceId of ids) {
      const { events } = await store.readStream(deviceStreamId(deviceId));
      const record = JSON.parse(JSON.stringify(foldDevice(events)));
      expect(record.online).toBe(false);
      expect(rows.get(deviceId)).toEqual({ device_id: deviceId, last_status: "DONE", record });
    }
  });

  it("indexes no column a status report changes: its writes can stay on their pages (HOT)", async () => {
    // Each index's definition: none may read `record` (every write replaces it) but through a
    // generated column that a report leaves as it was.
    const indexes = await indexDefinitions(pool, "device_registry");
    expect(indexes.length).toBeGreaterThanOrEqual(5);
    for (const def of indexes) expect(def).not.toMatch(/\brecord\b/);
    const before = await tableUpdates(pool, "device_registry");
    await appendToEach("DeviceCameOnline", { bootId: "boot-2" });
    await project();
    // The projection's connection ended with the processor, which flushed its statistics.
    const after = await untilTableUpdates(pool, "device_registry", before.updates + ids.length);
    expect(after.updates - before.updates).toBe(ids.length);
    // One statement updates every row, so a page's free space takes only some new versions.
    expect(after.hot - before.hot).toBeGreaterThanOrEqual(ids.length / 2);
  });

  it("gives the same rows when the log is replayed over them", async () => {
    const before = await registry();
    await pool.query(
      "UPDATE processor_checkpoints SET transaction_id = '0'::xid8, global_position = 0 WHERE processor_name = $1",
      [projection.name],
    );
    await project();
    expect(await registry()).toEqual(before);
  });
});
