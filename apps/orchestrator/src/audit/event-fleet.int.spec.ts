import { eventStoreMigrations, migrate, PostgresEventStore } from "@statecast/events";
import { createTestDatabase, type TestDatabase } from "@statecast/testing";
import pg from "pg";
import { fromDevice } from "../devices/device-history.test-helper.js";
import { orchestratorRegistry } from "../projections/projections.module.js";
import { orchestratorMigrations } from "../projections/read-model.migrations.js";
import { auditMigrations } from "./audit.migrations.js";
import { buildEventPageQuery } from "./event-filter.js";

const everyMigration = [...eventStoreMigrations, ...orchestratorMigrations, ...auditMigrations];
const beforeEventFleet = everyMigration.filter(
  (m) => m.id !== "orchestrator-audit-0002-event-fleet",
);

/** Device streams of `fleets` fleets, each enrolled then reporting: most events name no fleet. */
const bulkHistory = (devices: number, perDevice: number, fleets: number) => `
INSERT INTO streams (stream_id, stream_type, version, last_transaction_id)
SELECT 'device:d' || d, 'device', ${perDevice}, pg_current_xact_id() FROM generate_series(1, ${devices}) d;
INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
SELECT 'device:d' || d, v, gen_random_uuid(),
       CASE WHEN v = 1 THEN 'DeviceEnrolled' ELSE 'DeviceCameOnline' END, 1,
       CASE WHEN v = 1 THEN jsonb_build_object('deviceId', 'd' || d, 'fleet', 'fleet-' || (d % ${fleets}))
            ELSE jsonb_build_object('bootId', 'b' || v) END,
       '{"actor":"device:x","correlationId":"c","causationId":"c"}'
FROM generate_series(1, ${devices}) d, generate_series(1, ${perDevice}) v
ORDER BY d, v`;

describe("the audit fleet filter's events.fleet column", () => {
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeEach(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
  });
  afterEach(async () => {
    await pool?.end();
    await db?.drop();
  });

  it("backfills events written before the migration, then the trigger fills new ones", async () => {
    await migrate(pool, beforeEventFleet);
    const store = new PostgresEventStore(pool, orchestratorRegistry());
    const enrolled = (id: string, fleet: string) => ({
      deviceId: id,
      publicKey: `U${"A".repeat(55)}`,
      fleet,
      tags: {},
      enrolledWith: "approval",
    });
    const asDevice = async (id: string, type: string, data: unknown) =>
      store.append(`device:${id}`, [{ type, data, metadata: fromDevice(id) }], {
        expectedVersion: "any",
      });
    await asDevice("m1", "DeviceEnrolled", enrolled("m1", "main"));
    await asDevice("m1", "DeviceCameOnline", { bootId: "b1" });
    await asDevice("o1", "DeviceEnrolled", enrolled("o1", "other"));
    await asDevice("m1", "TargetAssigned", {
      revision: { fleet: "main", number: 1 },
      digest: "e".repeat(64),
      seq: 1,
    });
    await asDevice("m1", "DeviceWentOffline", { lastSeenAt: new Date().toISOString() });

    await migrate(pool, everyMigration);
    await asDevice("m1", "DeviceCameOnline", { bootId: "b2" });
    await asDevice("o1", "DeviceCameOnline", { bootId: "b3" });
    await store.append(
      "device:m2",
      [
        { type: "DeviceEnrolled", data: enrolled("m2", "main"), metadata: fromDevice("m2") },
        { type: "DeviceCameOnline", data: { bootId: "b4" }, metadata: fromDevice("m2") },
      ],
      { expectedVersion: "no_stream" },
    );
    await store.close();

    const { rows } = await pool.query<{ stream_id: string; type: string; fleet: string | null }>(
      "SELECT stream_id, type, fleet FROM events ORDER BY global_position",
    );
    expect(rows.map((r) => [r.stream_id, r.type, r.fleet])).toEqual([
      ["device:m1", "DeviceEnrolled", "main"],
      ["device:m1", "DeviceCameOnline", "main"],
      ["device:o1", "DeviceEnrolled", "other"],
      ["device:m1", "TargetAssigned", "main"],
      ["device:m1", "DeviceWentOffline", "main"],
      ["device:m1", "DeviceCameOnline", "main"],
      ["device:o1", "DeviceCameOnline", "other"],
      ["device:m2", "DeviceEnrolled", "main"],
      ["device:m2", "DeviceCameOnline", "main"],
    ]);
    const page = buildEventPageQuery({ fleet: "other" }, undefined, 10);
    const other = await pool.query<{ type: string }>(page.text, page.values);
    expect(other.rows.map((r) => r.type)).toEqual(["DeviceEnrolled", "DeviceCameOnline"]);
  });

  it("is read through its index in read-all order: EXPLAIN of the fleet filter", async () => {
    await migrate(pool, everyMigration);
    await pool.query(bulkHistory(2000, 10, 20));
    await pool.query("ANALYZE events");
    const { text, values } = buildEventPageQuery({ fleet: "fleet-3" }, undefined, 100);
    const { rows } = await pool.query<{ "QUERY PLAN": string }>(`EXPLAIN ${text}`, values);
    const plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).toContain("Index Scan using events_by_fleet_in_commit_order on events");
    expect(plan).not.toMatch(/Seq Scan|Sort/);
    const page = await pool.query<{ event_id: string }>(text, values);
    expect(page.rows).toHaveLength(100);
    const fleets = await pool.query<{ fleet: string }>(
      "SELECT DISTINCT fleet FROM events WHERE event_id = ANY($1::uuid[])",
      [page.rows.map((r) => r.event_id)],
    );
    expect(fleets.rows).toEqual([{ fleet: "fleet-3" }]);
  });
});
