import { eventStoreMigrations, migrate, PostgresEventStore } from "@statecast/events";
import { createTestDatabase, type TestDatabase } from "@statecast/testing";
import pg from "pg";
import { fromDevice } from "../devices/device-history.test-helper.js";
import { orchestratorRegistry } from "../projections/projections.module.js";
import { orchestratorMigrations } from "../projections/read-model.migrations.js";
import { auditMigrations } from "./audit.migrations.js";
import { buildEventPageQuery } from "./event-filter.js";

const everyMigration = [...eventStoreMigrations, ...orchestratorMigrations, ...auditMigrations];
const previousRelease = everyMigration.filter(
  (m) => !["events-0005-fleet", "orchestrator-audit-0002-event-fleet-index"].includes(m.id),
);

/** Rows as the previous release's append wrote them (no fleet columns). */
async function previousAppend(
  pool: pg.Pool,
  streamId: string,
  version: number,
  type: string,
  data: unknown,
) {
  await pool.query(
    `INSERT INTO streams (stream_id, stream_type, version, last_transaction_id)
     VALUES ($1, split_part($1, ':', 1), $2, pg_current_xact_id())
     ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version`,
    [streamId, version],
  );
  await pool.query(
    `INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
     VALUES ($1, $2, gen_random_uuid(), $3, 1, $4, '{"actor":"device:x","correlationId":"c","causationId":"c"}')`,
    [streamId, version, type, JSON.stringify(data)],
  );
}

const enrolled = (id: string, fleet: string) => ({
  deviceId: id,
  publicKey: `U${"A".repeat(55)}`,
  fleet,
  tags: {},
  enrolledWith: "approval",
});

/** Device streams of `fleets` fleets, enrolled then reporting, as the append statements fill them. */
const bulkHistory = (devices: number, perDevice: number, fleets: number) => `
INSERT INTO streams (stream_id, stream_type, version, last_transaction_id, fleet)
SELECT 'device:d' || d, 'device', ${perDevice}, pg_current_xact_id(), 'fleet-' || (d % ${fleets})
FROM generate_series(1, ${devices}) d;
INSERT INTO events (stream_id, stream_version, event_id, type, schema_version, data, metadata, fleet)
SELECT 'device:d' || d, v, gen_random_uuid(),
       CASE WHEN v = 1 THEN 'DeviceEnrolled' ELSE 'DeviceCameOnline' END, 1,
       CASE WHEN v = 1 THEN jsonb_build_object('deviceId', 'd' || d, 'fleet', 'fleet-' || (d % ${fleets}))
            ELSE jsonb_build_object('bootId', 'b' || v) END,
       '{"actor":"device:x","correlationId":"c","causationId":"c"}', 'fleet-' || (d % ${fleets})
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

  it("backfills events the previous release wrote; every append statement fills new ones", async () => {
    await migrate(db.url, previousRelease);
    await previousAppend(pool, "device:m1", 1, "DeviceEnrolled", enrolled("m1", "main"));
    await previousAppend(pool, "device:m1", 2, "DeviceCameOnline", { bootId: "b1" });
    await previousAppend(pool, "device:o1", 1, "DeviceEnrolled", enrolled("o1", "other"));
    await previousAppend(pool, "device:m1", 3, "TargetAssigned", {
      revision: { fleet: "main", number: 1 },
      digest: "e".repeat(64),
      seq: 1,
    });
    await previousAppend(pool, "token:t1", 1, "ApiTokenCreated", { name: "t" });

    await migrate(db.url, everyMigration);
    const store = new PostgresEventStore(pool, orchestratorRegistry());
    const meta = (id: string) => fromDevice(id);
    await store.append(
      `device:m1`,
      [{ type: "DeviceCameOnline", data: { bootId: "b2" }, metadata: meta("m1") }],
      {
        expectedVersion: 3,
      },
    );
    await store.append(
      `device:o1`,
      [{ type: "DeviceCameOnline", data: { bootId: "b3" }, metadata: meta("o1") }],
      {
        expectedVersion: "any",
      },
    );
    await store.append(
      "device:m2",
      [
        { type: "DeviceEnrolled", data: enrolled("m2", "main"), metadata: meta("m2") },
        { type: "DeviceCameOnline", data: { bootId: "b4" }, metadata: meta("m2") },
      ],
      { expectedVersion: "no_stream" },
    );
    await store.appendMany([
      {
        streamId: "device:o2",
        events: [{ type: "DeviceEnrolled", data: enrolled("o2", "other"), metadata: meta("o2") }],
        expectedVersion: "no_stream",
      },
      {
        streamId: "device:m2",
        events: [{ type: "DeviceCameOnline", data: { bootId: "b5" }, metadata: meta("m2") }],
        expectedVersion: 2,
      },
    ]);
    // Group commit: concurrent single appends share one statement.
    await Promise.all([
      store.append(
        "device:o2",
        [{ type: "DeviceCameOnline", data: { bootId: "b6" }, metadata: meta("o2") }],
        {
          expectedVersion: "any",
        },
      ),
      store.append(
        "device:m1",
        [{ type: "DeviceCameOnline", data: { bootId: "b7" }, metadata: meta("m1") }],
        {
          expectedVersion: "any",
        },
      ),
    ]);
    await store.close();

    const { rows } = await pool.query<{
      stream_id: string;
      stream_version: number;
      fleet: string | null;
    }>("SELECT stream_id, stream_version, fleet FROM events ORDER BY stream_id, stream_version");
    expect(rows.map((r) => `${r.stream_id}#${r.stream_version}=${r.fleet}`)).toEqual([
      "device:m1#1=main",
      "device:m1#2=main",
      "device:m1#3=main",
      "device:m1#4=main",
      "device:m1#5=main",
      "device:m2#1=main",
      "device:m2#2=main",
      "device:m2#3=main",
      "device:o1#1=other",
      "device:o1#2=other",
      "device:o2#1=other",
      "device:o2#2=other",
      "token:t1#1=null",
    ]);
    const page = buildEventPageQuery({ fleet: "other" }, undefined, 10);
    const other = await pool.query<{ stream_id: string }>(page.text, page.values);
    expect(other.rows.map((r) => r.stream_id)).toEqual([
      "device:o1",
      "device:o1",
      "device:o2",
      "device:o2",
    ]);
  });

  it("is read through its index in read-all order: EXPLAIN of the fleet filter", async () => {
    await migrate(db.url, everyMigration);
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
