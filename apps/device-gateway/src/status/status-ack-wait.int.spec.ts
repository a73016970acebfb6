import { jetstream } from "@nats-io/jetstream";
import { deviceStreamId } from "@statecast/events";
import {
  aReport,
  aTargetedDevice,
  deviceEventTypes,
  publishReport,
  untilIngested,
  useStatusStream,
} from "../testing/gateway.test-helper.js";
import { DropCounter } from "./drop-counter.js";
import { StatusIngestor } from "./status-ingestor.js";

const ACK_WAIT_MS = 1_000;

// Reports pulled at once wait in their device's queue until a transaction takes them. Here the
// only transaction slot is stuck on a row lock for three ack waits while another device's reports
// queue up behind it: without their ack wait reset, JetStream hands them out again and each comes
// back as a duplicate.
describe("reports queued longer than the ack wait", () => {
  const h = useStatusStream({ ackWaitMs: ACK_WAIT_MS });

  it("are not handed out again: each one event, none dropped", async () => {
    await aTargetedDevice(h.store, "aw-stuck");
    await aTargetedDevice(h.store, "aw-queued");
    const drops = new DropCounter();
    const ingestor = new StatusIngestor(jetstream(h.device), h.store, drops, {
      maxTransactions: 1,
      rate: { perSecond: 1_000 },
    });
    const blocker = await h.store.pool.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query("SELECT 1 FROM streams WHERE stream_id = $1 FOR UPDATE", [
        deviceStreamId("aw-stuck"),
      ]);
      ingestor.start();
      await publishReport(h.device, aReport("aw-stuck", 1, { status: "QUEUED", progress: 5 }));
      for (let seq = 1; seq <= 5; seq++) await publishReport(h.device, aReport("aw-queued", seq));
      await new Promise((resolve) => setTimeout(resolve, 3 * ACK_WAIT_MS));
      await blocker.query("COMMIT");
      await untilIngested(h.device);
    } finally {
      blocker.release();
      await ingestor.stop();
    }

    expect(drops.snapshot()).toEqual({});
    expect(await deviceEventTypes(h.store, "aw-stuck")).toEqual(["UpdateProgressReported"]);
    expect(await deviceEventTypes(h.store, "aw-queued")).toEqual(
      Array.from({ length: 5 }, () => "UpdateProgressReported"),
    );
    expect(ingestor.ackWaitsReset).toBeGreaterThan(0);
  });
});
