import { randomUUID } from "node:crypto";
import {
  createRegistry,
  deviceCatalog,
  type EventMetadata,
  eventStoreMigrations,
  migrate,
  PostgresEventStore,
  type RecordedEvent,
} from "@statecast/events";
import { createTestDatabase, type TestDatabase } from "@statecast/testing";
import pg from "pg";
import { DataSource } from "typeorm";
import { GatewayView } from "./gateway-view.js";
import { gatewayViewMigrations } from "./gateway-view.migrations.js";
import { GatewayViewEvent } from "./gateway-view-event.entity.js";

const metadata: EventMetadata = {
  correlationId: "c",
  causationId: "c",
  actor: "operator:alice",
  now: "2026-01-01T00:00:00.000Z",
};
const key = `U${"A".repeat(55)}`;

let position = 0n;
function anEvent(
  streamId: string,
  streamVersion: number,
  type: string,
  data: object,
): RecordedEvent {
  return {
    eventId: randomUUID(),
    streamId,
    streamVersion,
    type,
    schemaVersion: 1,
    data,
    metadata,
    globalPosition: ++position,
    transactionId: 1n,
    recordedAt: new Date("2026-01-01T00:00:05.000Z"),
  };
}
const enrolled = (id: string, fleet = "lab") =>
  anEvent(`device:${id}`, 1, "DeviceEnrolled", {
    deviceId: id,
    publicKey: key,
    fleet,
    tags: {},
    enrolledWith: "approval",
  });

describe("GatewayView (the gateway's own table, real Postgres)", () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let view: GatewayView;

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrate(db.url, [...eventStoreMigrations, ...gatewayViewMigrations]);
    dataSource = await new DataSource({
      type: "postgres",
      url: db.url,
      entities: [GatewayViewEvent],
    }).initialize();
    view = new GatewayView(dataSource.getRepository(GatewayViewEvent));
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it("keeps an event once however often it is delivered, and leaves out what it does not decide with", async () => {
    const event = enrolled("v-1");
    await view.record(event);
    await view.record(event);
    await view.record(anEvent("device:v-1", 2, "UpdateProgressReported", { status: "QUEUED" }));
    const stream = (await view.streams(["device:v-1"])).get("device:v-1");
    expect(stream?.events.map((e) => [e.eventId, e.type])).toEqual([
      [event.eventId, "DeviceEnrolled"],
    ]);
    expect((await view.device("v-1")).approval).toBe("pending");
    expect(await view.pendingCount("lab", 10)).toBe(1);
    await view.record(anEvent("device:v-1", 3, "DeviceApproved", { by: "operator:alice" }));
    expect((await view.device("v-1")).approval).toBe("approved");
    expect(await view.pendingCount("lab", 10)).toBe(0);
  });

  it("holds what this gateway appended at once, then takes the record's time from SC_EVENTS", async () => {
    const eventId = randomUUID();
    const events = [{ type: "DeviceEnrolled", data: enrolled("v-2").data, metadata, eventId }];
    await view.recordAppended([{ streamId: "device:v-2", events, expectedVersion: "no_stream" }], {
      versions: new Map([["device:v-2", 1]]),
      lastGlobalPosition: 99n,
    });
    expect((await view.device("v-2")).enrolledAt).toBe(metadata.now);
    const relayed = { ...enrolled("v-2"), eventId };
    await view.record(relayed);
    const stream = (await view.streams(["device:v-2"])).get("device:v-2");
    expect(stream?.events).toHaveLength(1);
    expect(stream?.events[0]?.recordedAt).toEqual(relayed.recordedAt);
    expect(stream?.events[0]?.globalPosition).toBe(relayed.globalPosition);
  });

  it("answers which revision names an object, and every revoked key", async () => {
    const sha = "b".repeat(64);
    await view.record(
      anEvent("revision:lab:4", 1, "RevisionPosted", {
        revision: { fleet: "lab", number: 4 },
        digest: "c".repeat(64),
        objects: [sha],
      }),
    );
    expect(await view.inRevision(sha, "lab", ["revision:lab:4"])).toBe(true);
    expect(await view.inRevision(sha, "lab", ["revision:lab:5"])).toBe(false);
    expect(await view.inRevision("c".repeat(64), "lab", ["revision:lab:5", "revision:lab:4"])).toBe(
      true,
    );
    // Revision 5 was not posted when first asked: it is read again once it is.
    await view.record(
      anEvent("revision:lab:5", 1, "RevisionPosted", {
        revision: { fleet: "lab", number: 5 },
        digest: "d".repeat(64),
        objects: [sha],
      }),
    );
    expect(await view.inRevision(sha, "lab", ["revision:lab:5"])).toBe(true);
    expect(await view.inRevision("d".repeat(64), "lab", ["revision:lab:4"])).toBe(false);
    expect(await view.inRevision(sha, "lab", undefined)).toBe(true);
    expect(await view.inRevision(sha, "other", undefined)).toBe(false);
    await view.record(anEvent("device:v-3", 4, "DeviceCredentialsRevoked", { publicKey: key }));
    expect(await view.revokedKeys()).toEqual([{ key, at: new Date("2026-01-01T00:00:05.000Z") }]);
  });
});

describe("gateway-0003-view on a system upgraded from the release before", () => {
  it("copies the events it decides with from the record when it is migrated", async () => {
    const db = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      await migrate(db.url, eventStoreMigrations);
      const store = new PostgresEventStore(pool, createRegistry(deviceCatalog));
      const { data } = enrolled("old-1");
      await store.append("device:old-1", [{ type: "DeviceEnrolled", data, metadata }], {
        expectedVersion: "no_stream",
      });
      await store.append(
        "device:old-1",
        [{ type: "DeviceApproved", data: { by: "operator:alice" }, metadata }],
        { expectedVersion: 1 },
      );
      await migrate(db.url, [...eventStoreMigrations, ...gatewayViewMigrations]);
      const { rows } = await pool.query<{ type: string }>(
        "SELECT type FROM gateway_view_events ORDER BY stream_version",
      );
      expect(rows.map((r) => r.type)).toEqual(["DeviceEnrolled", "DeviceApproved"]);
    } finally {
      await pool.end();
      await db.drop();
    }
  });
});
