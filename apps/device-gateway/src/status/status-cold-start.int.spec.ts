import { jetstream } from "@nats-io/jetstream";
import { DeviceEvents, deviceStreamId } from "@statecast/events";
import {
  aReport,
  aTargetedDevice,
  deviceEventTypes,
  publishReport,
  untilIngested,
  useStatusStream,
} from "../testing/gateway.test-helper.js";
import { DropCounter } from "./drop-counter.js";
import { StatusIngestor, type StatusIngestorOptions } from "./status-ingestor.js";

// A fresh gateway knows no device: it folds each device's whole stream (one row a device) before
// deciding, and a backlog fills its in-flight limit, where the pull waits for room.
describe("a fresh ingestor over a backlog", () => {
  const h = useStatusStream();

  /** Runs a new ingestor (empty state cache) until every published report is settled. */
  const ingest = async (options: StatusIngestorOptions = {}) => {
    const drops = new DropCounter();
    const ingestor = new StatusIngestor(jetstream(h.device), h.store, drops, {
      rate: { perSecond: 1_000 },
      ...options,
    });
    ingestor.start();
    try {
      await untilIngested(h.device);
    } finally {
      await ingestor.stop();
    }
    return drops.snapshot();
  };

  const seqs = async (deviceId: string) =>
    (await h.store.readStream(deviceStreamId(deviceId))).events
      .filter((e) => e.type === DeviceEvents.UpdateProgressReported.type)
      .map((e) => (e.data as { seq: number }).seq);

  it("decides on the device's whole history: its cursor and a target assigned since", async () => {
    await aTargetedDevice(h.store, "cold-1");
    for (let seq = 1; seq <= 3; seq++) await publishReport(h.device, aReport("cold-1", seq));
    expect(await ingest()).toEqual({});
    const { version } = await h.store.readStream(deviceStreamId("cold-1"));
    await h.store.append(
      deviceStreamId("cold-1"),
      [
        {
          type: DeviceEvents.TargetAssigned.type,
          data: { revision: { fleet: "fleet", number: 3 }, digest: "b".repeat(64), seq: 2 },
          metadata: {
            correlationId: "t",
            causationId: "t",
            actor: "operator:test",
            now: new Date().toISOString(),
          },
        },
      ],
      { expectedVersion: version },
    );
    // Published while no gateway runs; a second copy of seq 3 under another msgID.
    await publishReport(h.device, aReport("cold-1", 3), "cold-1:boot-1:3:again");
    await publishReport(h.device, aReport("cold-1", 4)); // names fleet#2: no longer targeted
    await publishReport(h.device, aReport("cold-1", 5, { revision: "fleet#3" }));

    expect(await ingest()).toEqual({ duplicate: 1, not_targeted: 1 });
    expect(await deviceEventTypes(h.store, "cold-1")).toEqual([
      "UpdateProgressReported",
      "UpdateProgressReported",
      "UpdateProgressReported",
      "TargetAssigned",
      "UpdateProgressReported",
    ]);
    expect(await seqs("cold-1")).toEqual([1, 2, 3, 5]);
  });

  it("drains a backlog larger than its in-flight limit: each report one event, in order", async () => {
    const devices = ["cold-a", "cold-b", "cold-c"];
    for (const id of devices) await aTargetedDevice(h.store, id);
    for (let seq = 1; seq <= 6; seq++)
      for (const id of devices) await publishReport(h.device, aReport(id, seq));

    expect(await ingest({ maxInFlight: 2 })).toEqual({});
    for (const id of devices) expect(await seqs(id)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
