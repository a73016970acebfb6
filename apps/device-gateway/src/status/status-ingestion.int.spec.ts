import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { PostgresEventStore } from "@statecast/events";
import type { RunningService } from "@statecast/platform";
import {
  createTestDatabase,
  startTestNats,
  type TestDatabase,
  type TestNats,
} from "@statecast/testing";
import {
  aReport,
  aTargetedDevice,
  connectClient,
  deviceEventTypes,
  drops,
  openStore,
  publishReport,
  startGateway,
  untilIngested,
} from "../testing/gateway.test-helper.js";

describe("status ingestion", () => {
  let db: TestDatabase;
  let nats: TestNats;
  let store: PostgresEventStore;
  let device: NatsConnection;
  let gateway: RunningService;

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await startTestNats();
    store = await openStore(db.url);
    device = await connectClient(nats.url);
    gateway = await startGateway(db.url, nats.url);
  });

  afterAll(async () => {
    await gateway?.close();
    await device?.close();
    await store?.pool.end();
    await nats?.dispose();
    await db?.drop();
  });

  it("turns each report into one event and drops duplicates, replays, stale and untargeted ones", async () => {
    await aTargetedDevice(store, "dev-1");
    await publishReport(device, aReport("dev-1", 1, { status: "QUEUED", progress: 5 }));
    await publishReport(device, aReport("dev-1", 2));
    await publishReport(device, aReport("dev-1", 2), "dev-1:boot-1:2:replayed-after-window");
    await publishReport(device, aReport("dev-1", 1, { status: "QUEUED" }), "dev-1:boot-1:1:late");
    await publishReport(device, aReport("dev-1", 3, { status: "DONE", progress: 100 }));
    await publishReport(device, aReport("dev-1", 4, { revision: "fleet#1" }));
    await untilIngested(device);

    expect(await deviceEventTypes(store, "dev-1")).toEqual([
      "UpdateProgressReported",
      "UpdateProgressReported",
      "UpdateSucceeded",
    ]);
    const { events } = await store.readStream("device:dev-1");
    expect(events[4]?.data).toEqual({
      revision: { fleet: "fleet", number: 2 },
      status: "DONE",
      report: { bootId: "boot-1", seq: 3 },
    });
    expect(events[4]?.metadata).toMatchObject({
      actor: "device:dev-1",
      correlationId: "dev-1:boot-1:3",
    });
    const counter = drops(gateway);
    expect([counter.get("duplicate"), counter.get("stale"), counter.get("not_targeted")]).toEqual([
      1, 1, 1,
    ]);
  });

  it("drops spoofed and malformed reports without an event", async () => {
    await aTargetedDevice(store, "dev-2");
    await aTargetedDevice(store, "dev-3");
    const js = jetstream(device);
    await js.publish("sc.dev.dev-2.status", JSON.stringify(aReport("dev-3", 1)));
    await js.publish("sc.dev.dev-2.status", "{not json");
    await js.publish(
      "sc.dev.dev-2.status",
      JSON.stringify(aReport("dev-2", 1, { message: "x".repeat(5000) })),
    );
    await js.publish(
      "sc.dev.dev-2.status",
      JSON.stringify(aReport("dev-2", 1, { status: "ERROR" })),
    );
    await untilIngested(device);

    expect(await deviceEventTypes(store, "dev-2")).toEqual([]);
    expect(await deviceEventTypes(store, "dev-3")).toEqual([]);
    expect(drops(gateway).get("spoofed")).toBe(1);
    expect(drops(gateway).get("malformed")).toBe(3);
  });

  it("a report from an earlier boot after a later one changes nothing; heartbeats are transitions", async () => {
    await aTargetedDevice(store, "dev-4");
    const beat = {
      kind: "heartbeat",
      deviceId: "dev-4",
      bootId: "boot-2",
      at: new Date().toISOString(),
    };
    await jetstream(device).publish("sc.dev.dev-4.status", JSON.stringify(beat));
    await jetstream(device).publish("sc.dev.dev-4.status", JSON.stringify(beat));
    await publishReport(device, aReport("dev-4", 7, { bootId: "boot-1" }));
    await publishReport(
      device,
      aReport("dev-4", 1, { bootId: "boot-2", status: "INPROGRESS", progress: 50 }),
    );
    await publishReport(device, aReport("dev-4", 8, { bootId: "boot-1" }));
    await untilIngested(device);

    expect(await deviceEventTypes(store, "dev-4")).toEqual([
      "DeviceCameOnline",
      "UpdateProgressReported",
      "UpdateProgressReported",
    ]);
    const { events } = await store.readStream("device:dev-4");
    expect(events.slice(3).map((e) => (e.data as { bootId: string }).bootId)).toEqual([
      "boot-1",
      "boot-2",
    ]);
  });

  it("creates the status stream with a dedup window, so a replayed msgID is stored once", async () => {
    const jsm = await jetstreamManager(device);
    const before = (await jsm.streams.info("SC_DEVICE_STATUS")).state.messages;
    const ack = await jetstream(device).publish(
      "sc.dev.dev-1.status",
      JSON.stringify(aReport("dev-1", 2)),
      {
        msgID: "dev-1:boot-1:2",
      },
    );
    expect(ack.duplicate).toBe(true);
    expect((await jsm.streams.info("SC_DEVICE_STATUS")).state.messages).toBe(before);
  });
});
