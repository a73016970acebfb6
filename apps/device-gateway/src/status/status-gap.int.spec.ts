import { type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { deviceStreamId, type PostgresEventStore } from "@statecast/events";
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
  drops,
  openStore,
  publishReport,
  startGateway,
  type TestStore,
  untilIngested,
} from "../testing/gateway.test-helper.js";
import { StatusIngestor } from "./status-ingestor.js";
import { ensureStatusStream, STATUS_CONSUMER, STATUS_STREAM } from "./status-stream.js";

/** Long enough that a gateway applies the device's later reports well before it is back. */
const ACK_WAIT_MS = 3_000;

/** `seq` of each report event of the device, in stream order (a report twice shows twice). */
async function reportSeqs(store: PostgresEventStore, deviceId: string): Promise<number[]> {
  const { events } = await store.readStream(deviceStreamId(deviceId));
  type Data = { seq?: number; report?: { seq: number } };
  return events.slice(2).map((e) => (e.data as Data).seq ?? (e.data as Data).report?.seq ?? -1);
}

/**
 * A gateway that dies with a report in flight: its pull took the report and it never acked it.
 * JetStream hands the report out again only after the consumer's ack wait, while the device's
 * later reports go to the gateway that runs at once.
 */
async function takeInFlight(natsUrl: string, count: number): Promise<JsMsg[]> {
  const dying: NatsConnection = await connectClient(natsUrl);
  const consumer = await jetstream(dying).consumers.get(STATUS_STREAM, STATUS_CONSUMER);
  const taken: JsMsg[] = [];
  const batch = await consumer.fetch({ max_messages: count, expires: 2_000 });
  for await (const msg of batch) taken.push(msg);
  await dying.close(); // never acked
  return taken;
}

describe("a report in flight in a gateway that died, overtaken by the device's later reports", () => {
  let db: TestDatabase;
  let nats: TestNats;
  let store: TestStore;
  let device: NatsConnection;
  let gateway: RunningService | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await startTestNats();
    store = await openStore(db.url);
    device = await connectClient(nats.url);
    await ensureStatusStream(await jetstreamManager(device), { ackWaitMs: ACK_WAIT_MS });
  });

  afterAll(async () => {
    await gateway?.close().catch(() => undefined);
    await device?.close();
    await store?.pool.end();
    await nats?.dispose();
    await db?.drop();
  });

  it("still becomes exactly one event, in its place, with nothing dropped or skipped", async () => {
    await aTargetedDevice(store, "gap-1");
    gateway = await startGateway(db.url, nats.url);
    await publishReport(device, aReport("gap-1", 1, { status: "QUEUED", progress: 5 }));
    await untilIngested(device);
    await gateway.close();

    await publishReport(device, aReport("gap-1", 2));
    const inFlight = await takeInFlight(nats.url, 1);
    expect(inFlight.map((m) => m.json<{ seq: number }>().seq)).toEqual([2]);
    await publishReport(device, aReport("gap-1", 3, { status: "INPROGRESS", progress: 50 }));
    await publishReport(device, aReport("gap-1", 4, { status: "DONE", progress: 100 }));

    // Restarted at once: reports 3 and 4 reach it ACK_WAIT_MS before report 2 comes back.
    const began = Date.now();
    gateway = await startGateway(db.url, nats.url);
    await untilIngested(device, 30_000);
    const ingestor = gateway.app.get(StatusIngestor);

    expect(await reportSeqs(store, "gap-1")).toEqual([1, 2, 3, 4]);
    expect(drops(gateway).snapshot()).toEqual({});
    expect(ingestor.heldForGap).toBe(2);
    expect(ingestor.seqsSkipped).toBe(0);
    // Held no longer than it took report 2 to come back (the ack wait), not to the bound.
    expect(Date.now() - began).toBeLessThan(ACK_WAIT_MS + 4_000);
  });

  it("holds the later reports of a device whose very first report was in flight", async () => {
    await aTargetedDevice(store, "gap-0");
    await gateway?.close();
    await publishReport(device, aReport("gap-0", 1, { status: "QUEUED", progress: 5 }));
    const inFlight = await takeInFlight(nats.url, 1);
    expect(inFlight.map((m) => m.json<{ seq: number }>().seq)).toEqual([1]);
    await publishReport(device, aReport("gap-0", 2));

    gateway = await startGateway(db.url, nats.url);
    await untilIngested(device, 30_000);

    expect(await reportSeqs(store, "gap-0")).toEqual([1, 2]);
    expect(drops(gateway).snapshot()).toEqual({});
    expect(gateway.app.get(StatusIngestor).seqsSkipped).toBe(0);
  });

  it("gives a gap up after the ack wait and a margin: the later report applied, the seq counted", async () => {
    await aTargetedDevice(store, "gap-2");
    await publishReport(device, aReport("gap-2", 1, { status: "QUEUED", progress: 5 }));
    await untilIngested(device);
    // Seq 2 was never sent (say the device dropped it): seq 3 waits for it, then goes on.
    const began = Date.now();
    await publishReport(device, aReport("gap-2", 3, { status: "DONE", progress: 100 }));
    await untilIngested(device, 30_000);
    const ingestor = gateway!.app.get(StatusIngestor);

    expect(await reportSeqs(store, "gap-2")).toEqual([1, 3]);
    expect(Date.now() - began).toBeGreaterThanOrEqual(ACK_WAIT_MS + 5_000);
    expect(ingestor.seqsSkipped).toBe(1);
    expect(drops(gateway!).snapshot()).toEqual({});
  });

  describe("reports that name the seq their agent sent before them (prevSeq)", () => {
    it("applies at once a report past seqs its agent kept back: nothing held, nothing skipped", async () => {
      await aTargetedDevice(store, "gap-3");
      await gateway?.close();
      gateway = await startGateway(db.url, nats.url);
      const began = Date.now();
      // A new device's first sent report is seq 2 (seq 1, a local install's, stayed on the board).
      await publishReport(device, aReport("gap-3", 2, { status: "QUEUED", prevSeq: 0 }));
      await publishReport(device, aReport("gap-3", 3, { prevSeq: 2 }));
      await publishReport(device, aReport("gap-3", 6, { status: "DONE", prevSeq: 3 }));
      await untilIngested(device);
      const ingestor = gateway.app.get(StatusIngestor);

      expect(await reportSeqs(store, "gap-3")).toEqual([2, 3, 6]);
      expect(ingestor.heldForGap).toBe(0);
      expect(ingestor.seqsSkipped).toBe(0);
      expect(drops(gateway).snapshot()).toEqual({});
      expect(Date.now() - began).toBeLessThan(ACK_WAIT_MS);
    });

    it("holds a report whose declared predecessor is in flight, then applies both in order", async () => {
      await aTargetedDevice(store, "gap-4");
      await publishReport(device, aReport("gap-4", 1, { status: "QUEUED", prevSeq: 0 }));
      await untilIngested(device);
      await gateway?.close();

      // Seq 2 was kept back; seq 3 is in flight in a gateway that dies; seq 5 names it.
      await publishReport(device, aReport("gap-4", 3, { prevSeq: 1 }));
      const inFlight = await takeInFlight(nats.url, 1);
      expect(inFlight.map((m) => m.json<{ seq: number }>().seq)).toEqual([3]);
      await publishReport(device, aReport("gap-4", 5, { status: "DONE", prevSeq: 3 }));

      const began = Date.now();
      gateway = await startGateway(db.url, nats.url);
      await untilIngested(device, 30_000);
      const ingestor = gateway.app.get(StatusIngestor);

      expect(await reportSeqs(store, "gap-4")).toEqual([1, 3, 5]);
      expect(ingestor.heldForGap).toBe(1);
      expect(ingestor.seqsSkipped).toBe(0);
      expect(drops(gateway).snapshot()).toEqual({});
      // Held until seq 3 came back after the ack wait, not to the bound.
      expect(Date.now() - began).toBeLessThan(ACK_WAIT_MS + 4_000);
    });
  });
});
