import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { PATTERN_METADATA } from "@nestjs/microservices/constants.js";
import {
  type EventMetadata,
  eventStoreMigrations,
  migrate,
  type RecordedEvent,
} from "@statecast/events";
import { createTestDatabase, type TestDatabase } from "@statecast/testing";
import { DataSource } from "typeorm";
import { ObjectAccess } from "../objects/object-access.js";
import { GatewayView } from "../view/gateway-view.js";
import { gatewayViewMigrations } from "../view/gateway-view.migrations.js";
import { GatewayViewEvent } from "../view/gateway-view-event.entity.js";
import { VIEW_DEVICE_EVENTS } from "../view/view-event-types.js";
import { TARGETS_CONSUMER, TargetEventsController } from "./target-events.controller.js";
import type { TargetWriter } from "./target-writer.js";

const metadata: EventMetadata = {
  correlationId: "c",
  causationId: "c",
  actor: "operator:alice",
  now: "2026-01-01T00:00:00.000Z",
};
let position = 0n;
const anEvent = (id: string, version: number, type: string, data: object): RecordedEvent => ({
  eventId: randomUUID(),
  streamId: `device:${id}`,
  streamVersion: version,
  type,
  schemaVersion: 1,
  data,
  metadata,
  globalPosition: ++position,
  transactionId: 1n,
  recordedAt: new Date("2026-01-01T00:00:05.000Z"),
});

/**
 * Issue 16's 10,000-device bench: devices were refused their objects as "not enrolled" a second
 * after their target was written, because the view's own consumer was thousands of enrollments
 * behind the targets consumer. The targets consumer now puts the device's earlier view events
 * in the view as it passes them.
 */
describe("the targets consumer keeps the view up with the device's stream (real Postgres)", () => {
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

  it("routes every view device event of its consumer to the view, TargetAssigned to the writer", () => {
    const patterns = (method: keyof TargetEventsController) =>
      (
        Reflect.getMetadata(PATTERN_METADATA, TargetEventsController.prototype[method]) as {
          consumer: string;
          type: string;
        }[]
      ).map((p) => `${p.consumer}/${p.type}`);
    expect(patterns("viewed").sort()).toEqual(
      VIEW_DEVICE_EVENTS.filter((t) => t !== "TargetAssigned")
        .map((t) => `${TARGETS_CONSUMER}/${t}`)
        .sort(),
    );
    expect(patterns("assigned")).toEqual([`${TARGETS_CONSUMER}/TargetAssigned`]);
  });

  it("lets a device read its target's state once the consumer passed its enrollment and target", async () => {
    // The writer is not reached by what this test feeds (enrollment goes to the view only).
    const controller = new TargetEventsController(undefined as unknown as TargetWriter, view);
    const access = new ObjectAccess(view);
    const digest = "d".repeat(64);
    const enrolled = anEvent("b-1", 1, "DeviceEnrolled", {
      deviceId: "b-1",
      publicKey: `U${"A".repeat(55)}`,
      fleet: "bench",
      tags: {},
      enrolledWith: "token",
    });
    expect(await access.refusal("b-1", digest)).toBe("device b-1 is not enrolled");
    await controller.viewed(enrolled);
    // What `assigned` does before it writes the target.
    await view.record(
      anEvent("b-1", 2, "TargetAssigned", {
        revision: { fleet: "bench", number: 1 },
        digest,
        seq: 1,
        rolloutId: "r",
        waveIndex: 0,
        expiresAt: "2030-01-01T00:00:00.000Z",
      }),
    );
    expect(await access.refusal("b-1", digest)).toBeUndefined();
    // The view's own consumer bringing the same event later changes nothing.
    await view.record(enrolled);
    expect((await view.streams(["device:b-1"])).get("device:b-1")?.events).toHaveLength(2);
  });
});
