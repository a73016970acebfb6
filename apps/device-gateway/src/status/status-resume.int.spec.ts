import { setTimeout as sleep } from "node:timers/promises";
import { jetstreamManager } from "@nats-io/jetstream";
import { deviceStreamId } from "@statecast/events";
import {
  aReport,
  aTargetedDevice,
  publishReport,
  untilIngested,
  useGateway,
} from "../testing/gateway.test-helper.js";
import { StatusIngestor } from "./status-ingestor.js";
import { STATUS_CONSUMER, STATUS_STREAM } from "./status-stream.js";

/** The seq of each report event of the device, in order. */
async function reportSeqs(h: ReturnType<typeof useGateway>, deviceId: string): Promise<number[]> {
  const { events } = await h.store.readStream(deviceStreamId(deviceId));
  type Data = { seq?: number; report?: { seq: number } };
  return events.slice(2).map((e) => (e.data as Data).seq ?? (e.data as Data).report?.seq ?? -1);
}

// The pull of the status consumer can end under a running gateway (the consumer deleted, a
// terminal JetStream error): the gateway pulls again on its own, and every report a device
// published meanwhile still becomes exactly one event.
describe("status ingestion resumes its pull", () => {
  const h = useGateway();

  it("when its consumer is deleted: the consumer is created again and no report is lost or doubled", async () => {
    await aTargetedDevice(h.store, "dev-r1");
    for (const seq of [1, 2, 3]) await publishReport(h.device, aReport("dev-r1", seq));
    await untilIngested(h.device);
    const jsm = await jetstreamManager(h.device);

    expect(await jsm.consumers.delete(STATUS_STREAM, STATUS_CONSUMER)).toBe(true);
    for (const seq of [4, 5, 6]) await publishReport(h.device, aReport("dev-r1", seq));

    const deadline = Date.now() + 20_000;
    while ((await reportSeqs(h, "dev-r1")).length < 6 && Date.now() < deadline) await sleep(100);
    await untilIngested(h.device);
    expect(await reportSeqs(h, "dev-r1")).toEqual([1, 2, 3, 4, 5, 6]);
    expect(h.gateway.app.get(StatusIngestor).resumed).toBeGreaterThanOrEqual(1);
    const metrics = await fetch(`${h.gateway.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^statecast_gateway_status_pull_resumed_total [1-9]/m);

    // The resumed pull goes on taking new reports.
    await publishReport(h.device, aReport("dev-r1", 7, { status: "DONE", progress: 100 }));
    await untilIngested(h.device);
    expect(await reportSeqs(h, "dev-r1")).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
