import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type NatsConnection, nanos } from "@nats-io/transport-node";
import { STATUS_SUBJECTS } from "@statecast/contract";
import { ensureEventsStream } from "@statecast/events";
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
  openStore,
  publishReport,
  startGateway,
  type TestStore,
  untilIngested,
} from "../testing/gateway.test-helper.js";
import { ensureStatusStream, STATUS_STREAM } from "./status-stream.js";
import { StatusTrimmer, trimConsumedStatus } from "./status-trimmer.js";

const TEN_MINUTES = nanos(10 * 60_000);

describe("retention of SC_DEVICE_STATUS and SC_EVENTS", () => {
  let db: TestDatabase;
  let nats: TestNats;
  let store: TestStore;
  let client: NatsConnection;

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await startTestNats();
    store = await openStore(db.url);
    client = await connectClient(nats.url);
  });
  afterAll(async () => {
    await client?.close();
    await store?.pool.end();
    await nats?.dispose();
    await db?.drop();
  });

  it("gives streams an earlier release created without limits their limits on start, losing no message, and trims only what the gateway consumed", async () => {
    const jsm = await jetstreamManager(client);
    // As the previous release created them: limits retention, no age or size bound.
    await jsm.streams.add({
      name: STATUS_STREAM,
      subjects: [STATUS_SUBJECTS],
      duplicate_window: TEN_MINUTES,
    });
    await jsm.streams.add({
      name: "SC_EVENTS",
      subjects: ["sc.evt.>"],
      duplicate_window: TEN_MINUTES,
    });
    await aTargetedDevice(store, "ret-1");
    for (const seq of [1, 2, 3]) await publishReport(client, aReport("ret-1", seq));
    for (const n of [1, 2]) await jetstream(client).publish(`sc.evt.device.d.E${n}`, "{}");

    // No relay: this test plays the previous release's SC_EVENTS itself.
    const gateway = await startGateway(
      db.url,
      nats.url,
      mkdtempSync(join(tmpdir(), "sc-ret-")),
      {
        STATECAST_STATUS_STREAM_MAX_AGE_SECONDS: "7200",
        STATECAST_STATUS_STREAM_MAX_BYTES: String(64 * 1024 ** 2),
      },
      { relay: false },
    );
    try {
      const status = await jsm.streams.info(STATUS_STREAM);
      expect(status.config).toMatchObject({
        retention: "limits",
        max_age: nanos(7_200_000),
        max_bytes: 64 * 1024 ** 2,
        discard: "new",
      });
      await untilIngested(client);
      const { events } = await store.readStream("device:ret-1");
      expect(events.filter((e) => e.type === "UpdateProgressReported")).toHaveLength(3);
      // Committed and acked, so trimmed; a device replaying one is still deduplicated.
      expect(await gateway.app.get(StatusTrimmer).pass()).toBe(3);
      expect((await jsm.streams.info(STATUS_STREAM)).state.messages).toBe(0);
      const replay = await jetstream(client).publish(
        "sc.dev.ret-1.status",
        JSON.stringify(aReport("ret-1", 2)),
        { msgID: "ret-1:boot-1:2" },
      );
      expect(replay.duplicate).toBe(true);
    } finally {
      await gateway.close();
    }

    // The relay's start does the same for SC_EVENTS (discard old: the relay is never refused).
    const retention = { maxAgeSeconds: 7200, maxBytes: 32 * 1024 ** 2 };
    expect(await ensureEventsStream(jsm, 1, retention)).toBe("updated");
    const feed = await jsm.streams.info("SC_EVENTS");
    expect(feed.config).toMatchObject({
      max_age: nanos(7_200_000),
      max_bytes: 32 * 1024 ** 2,
      discard: "old",
    });
    expect(feed.state.messages).toBe(2);
    expect(await ensureEventsStream(jsm, 1, retention)).toBe("unchanged");
  });

  it("refuses new reports when a backlog fills the stream rather than drop unread ones, and takes them again once the backlog is consumed", async () => {
    const jsm = await jetstreamManager(client);
    await ensureStatusStream(jsm, { limits: { maxAgeSeconds: 3600, maxBytes: 1024 ** 2 } });
    const js = jetstream(client);
    const big = "x".repeat(16 * 1024);
    let accepted = 0;
    let refusal: Error | undefined;
    while (!refusal && accepted < 200) {
      try {
        await js.publish("sc.dev.full-1.status", big, { msgID: `full-1:b:${accepted}` });
        accepted++;
      } catch (error) {
        refusal = error as Error;
      }
    }
    expect(refusal?.message).toMatch(/maximum bytes exceeded/i);
    const held = await jsm.streams.info(STATUS_STREAM);
    expect(held.state.messages).toBe(accepted); // nothing unread was dropped to make room
    expect(held.state.first_seq).toBeGreaterThan(0);

    // The gateway's consumer reads and acks half the backlog: trimming takes that half only.
    const consumer = await jetstream(client).consumers.get(STATUS_STREAM, "sc-gateway-status");
    const ackNext = async (count: number) => {
      let acked = 0;
      while (acked < count) {
        const batch = await consumer.fetch({ max_messages: count - acked, expires: 2000 });
        for await (const msg of batch) {
          await msg.ackAck();
          acked++;
        }
      }
    };
    const half = Math.floor(accepted / 2);
    await ackNext(half);
    expect(await trimConsumedStatus(jsm)).toBe(half);
    expect((await jsm.streams.info(STATUS_STREAM)).state.messages).toBe(accepted - half);
    await ackNext(accepted - half);
    expect(await trimConsumedStatus(jsm)).toBe(accepted - half);
    await expect(
      js.publish("sc.dev.full-1.status", big, { msgID: "full-1:b:after" }),
    ).resolves.toMatchObject({ duplicate: false });
    expect((await jsm.consumers.info(STATUS_STREAM, "sc-gateway-status")).config.ack_policy).toBe(
      AckPolicy.Explicit,
    );
  });
});
