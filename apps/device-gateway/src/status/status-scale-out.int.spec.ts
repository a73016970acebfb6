import { setTimeout as sleep } from "node:timers/promises";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { PostgresEventStore } from "@statecast/events";
import { NATS_CONNECTION, type RunningService } from "@statecast/platform";
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
  crashGateway,
  drops,
  openStore,
  publishReport,
  startGateway,
  type TestStore,
  untilIngested,
} from "../testing/gateway.test-helper.js";
import { StatusIngestor } from "./status-ingestor.js";
import { ensureStatusStream } from "./status-stream.js";

const ACK_WAIT_MS = 1_000;
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

/** The (bootId, seq) of every report-derived event on the device, in stream order. */
async function appliedSeqs(store: PostgresEventStore, deviceId: string): Promise<number[]> {
  const { events } = await store.readStream(`device:${deviceId}`);
  return events.slice(2).map((e) => {
    const data = e.data as { seq?: number; report?: { seq: number } };
    return data.seq ?? data.report?.seq ?? -1;
  });
}

/** The gateway's drops but those of a report delivered again after it was applied. */
function lostDrops(gateway: RunningService): Record<string, number> {
  const { duplicate: _duplicate, stale: _stale, ...lost } = drops(gateway).snapshot();
  return lost;
}

describe("status ingestion across gateway restarts and replicas", () => {
  let db: TestDatabase;
  let nats: TestNats;
  let store: TestStore;
  let device: NatsConnection;
  const gateways: RunningService[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await startTestNats();
    store = await openStore(db.url);
    device = await connectClient(nats.url);
    // A short ack wait so a crashed gateway's unacked reports come back within the test.
    await ensureStatusStream(await jetstreamManager(device), { ackWaitMs: ACK_WAIT_MS });
  });

  afterAll(async () => {
    for (const gateway of gateways) await gateway.close().catch(() => undefined);
    await device?.close();
    await store?.pool.end();
    await nats?.dispose();
    await db?.drop();
  });

  it("ingests every report once when the gateway dies mid-stream and reports arrive while it is down", async () => {
    const devices = ids("crash", 100);
    for (const id of devices) await aTargetedDevice(store, id);
    const [early, late] = [devices.slice(0, 50), devices.slice(50)];
    const first = await startGateway(db.url, nats.url);
    const publish = async (some: string[]) => {
      for (const seq of [1, 2, 3])
        await Promise.all(some.map((id) => publishReport(device, aReport(id, seq))));
    };
    await publish(early);
    const ingestor = first.app.get(StatusIngestor);
    while (ingestor.applied < 10) await sleep(2);
    // The late half's stream rows locked by another transaction before their reports go out:
    // those cannot commit before the gateway dies, whatever the machine's speed (a loaded run
    // once applied all reports between the test's check and the kill: nothing left to test).
    const blocker = await store.pool.connect();
    await blocker.query("BEGIN");
    await blocker.query("SELECT 1 FROM streams WHERE stream_id = ANY($1::text[]) FOR UPDATE", [
      late.map((id) => `device:${id}`),
    ]);
    await publish(late);
    // The crash: no ack leaves it from here on. Then the lock goes, and what was waiting on it
    // commits (or not) with its acks lost: committed but unacked, as a kill mid-commit leaves it.
    await first.app.get<NatsConnection>(NATS_CONNECTION).close();
    await blocker.query("ROLLBACK");
    blocker.release();
    await crashGateway(first);
    const jsm = await jetstreamManager(device);
    const left = await jsm.consumers.info("SC_DEVICE_STATUS", "sc-gateway-status");
    expect(left.num_pending + left.num_ack_pending).toBeGreaterThan(0);
    for (const seq of [4, 5]) {
      const status = seq === 5 ? { status: "DONE", progress: 100 } : {};
      await Promise.all(devices.map((id) => publishReport(device, aReport(id, seq, status))));
    }
    // Restarted at once: reports 4 and 5 reach it before the dead one's come back (ack wait).
    const second = await startGateway(db.url, nats.url);
    gateways.push(second);
    await untilIngested(device);

    for (const id of devices) expect(await appliedSeqs(store, id)).toEqual([1, 2, 3, 4, 5]);
    // Reports the dead one committed but had not acked come back: dropped as applied, no other.
    expect(lostDrops(second)).toEqual({});
    expect(second.app.get(StatusIngestor).seqsSkipped).toBe(0);
    await second.close();
    gateways.pop();
  });

  it("two replicas share the consumer and ingest each report once", async () => {
    const devices = ids("pair", 150);
    for (const id of devices) await aTargetedDevice(store, id);
    const pair = [await startGateway(db.url, nats.url), await startGateway(db.url, nats.url)];
    gateways.push(...pair);
    // A device's reports back to back: one replica may get a report while the other still
    // applies the one before; it holds it until then, so none is dropped as stale.
    for (const seq of [1, 2, 3])
      await Promise.all(devices.map((id) => publishReport(device, aReport(id, seq))));
    await untilIngested(device);

    for (const id of devices) expect(await appliedSeqs(store, id)).toEqual([1, 2, 3]);
    // A 1 s ack wait on a busy machine redelivers some reports to the other replica: dropped as
    // applied (duplicate, or stale once the next was applied), never another way.
    for (const gateway of pair) expect(lostDrops(gateway)).toEqual({});
    const applied = pair.map((gateway) => gateway.app.get(StatusIngestor).applied);
    expect(applied[0]! + applied[1]!).toBe(devices.length * 3);
    expect(Math.min(...applied)).toBeGreaterThan(0);
  });
});
