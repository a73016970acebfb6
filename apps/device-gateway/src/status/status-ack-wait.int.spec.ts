import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { deviceStreamId } from "@statecast/events";
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
  openStore,
  publishReport,
  type TestStore,
  untilIngested,
} from "../testing/gateway.test-helper.js";
import { DropCounter } from "./drop-counter.js";
import { StatusIngestor } from "./status-ingestor.js";
import { ensureStatusStream } from "./status-stream.js";

const ACK_WAIT_MS = 1_000;

// Reports pulled at once wait in their device's queue until a transaction takes them. Here the
// only transaction slot is stuck on a row lock for three ack waits while another device's reports
// queue up behind it: without their ack wait reset, JetStream hands them out again and each comes
// back as a duplicate.
describe("reports queued longer than the ack wait", () => {
  let db: TestDatabase;
  let nats: TestNats;
  let store: TestStore;
  let device: NatsConnection;

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await startTestNats();
    store = await openStore(db.url);
    device = await connectClient(nats.url);
    await ensureStatusStream(await jetstreamManager(device), { ackWaitMs: ACK_WAIT_MS });
  });

  afterAll(async () => {
    await device?.close();
    await store?.pool.end();
    await nats?.dispose();
    await db?.drop();
  });

  it("are not handed out again: each one event, none dropped", async () => {
    await aTargetedDevice(store, "aw-stuck");
    await aTargetedDevice(store, "aw-queued");
    const drops = new DropCounter();
    const ingestor = new StatusIngestor(jetstream(device), store, drops, {
      maxTransactions: 1,
      rate: { perSecond: 1_000 },
    });
    const blocker = await store.pool.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query("SELECT 1 FROM streams WHERE stream_id = $1 FOR UPDATE", [
        deviceStreamId("aw-stuck"),
      ]);
      ingestor.start();
      await publishReport(device, aReport("aw-stuck", 1, { status: "QUEUED", progress: 5 }));
      for (let seq = 1; seq <= 5; seq++) await publishReport(device, aReport("aw-queued", seq));
      await new Promise((resolve) => setTimeout(resolve, 3 * ACK_WAIT_MS));
      await blocker.query("COMMIT");
      await untilIngested(device);
    } finally {
      blocker.release();
      await ingestor.stop();
    }

    expect(drops.snapshot()).toEqual({});
    expect(await deviceEventTypes(store, "aw-stuck")).toEqual(["UpdateProgressReported"]);
    expect(await deviceEventTypes(store, "aw-queued")).toEqual(
      Array.from({ length: 5 }, () => "UpdateProgressReported"),
    );
    expect(ingestor.ackWaitsReset).toBeGreaterThan(0);
  });
});
