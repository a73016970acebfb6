import { jetstream } from "@nats-io/jetstream";
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
  aTargetedDevice,
  connectClient,
  deviceEventTypes,
  openStore,
  startGateway,
  untilIngested,
} from "../testing/gateway.test-helper.js";
import { PresenceSweeper } from "./presence-sweeper.js";

const later = () => new Date(Date.now() + 10 * 60_000);

describe("presence", () => {
  let db: TestDatabase;
  let nats: TestNats;
  let store: PostgresEventStore;
  let device: NatsConnection;
  let gateway: RunningService;

  const beat = async (deviceId: string) => {
    const body = { kind: "heartbeat", deviceId, bootId: "boot-1", at: new Date().toISOString() };
    await jetstream(device).publish(`sc.dev.${deviceId}.status`, JSON.stringify(body));
  };

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

  it("heartbeats and silence become online/offline transitions only", async () => {
    await aTargetedDevice(store, "dev-p");
    for (let i = 0; i < 3; i++) await beat("dev-p");
    await untilIngested(device);
    expect(await deviceEventTypes(store, "dev-p")).toEqual(["DeviceCameOnline"]);

    const sweeper = gateway.app.get(PresenceSweeper);
    expect(await sweeper.sweep(new Date())).toBe(0); // not silent yet
    expect(await sweeper.sweep(later())).toBe(1);
    expect(await sweeper.sweep(later())).toBe(0);
    expect(await deviceEventTypes(store, "dev-p")).toEqual([
      "DeviceCameOnline",
      "DeviceWentOffline",
    ]);

    await beat("dev-p");
    await beat("dev-p");
    await untilIngested(device);
    expect(await deviceEventTypes(store, "dev-p")).toEqual([
      "DeviceCameOnline",
      "DeviceWentOffline",
      "DeviceCameOnline",
    ]);
  });

  it("two replicas sweeping at once declare a device offline once", async () => {
    await aTargetedDevice(store, "dev-q");
    await beat("dev-q");
    await untilIngested(device);
    const other = new PresenceSweeper(store, { offlineAfterMs: 90_000, sweepEveryMs: 10_000 });
    const at = later();
    const marked = await Promise.all([gateway.app.get(PresenceSweeper).sweep(at), other.sweep(at)]);
    expect(marked.filter((n) => n > 0)).toHaveLength(1); // the other found the lock held or nothing left
    expect(await deviceEventTypes(store, "dev-q")).toEqual([
      "DeviceCameOnline",
      "DeviceWentOffline",
    ]);
    expect(await deviceEventTypes(store, "dev-p")).toEqual([
      "DeviceCameOnline",
      "DeviceWentOffline",
      "DeviceCameOnline",
      "DeviceWentOffline",
    ]);
  });
});
