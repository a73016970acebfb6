import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import {
  aReport,
  aTargetedDevice,
  deviceEventTypes,
  drops,
  publishReport,
  untilIngested,
  useGateway,
} from "../testing/gateway.test-helper.js";

describe("status ingestion", () => {
  const h = useGateway();

  it("turns each report into one event and drops duplicates, replays, stale and untargeted ones", async () => {
    await aTargetedDevice(h.store, "dev-1");
    await publishReport(h.device, aReport("dev-1", 1, { status: "QUEUED", progress: 5 }));
    await publishReport(h.device, aReport("dev-1", 2));
    await publishReport(h.device, aReport("dev-1", 2), "dev-1:boot-1:2:replayed-after-window");
    await publishReport(h.device, aReport("dev-1", 1, { status: "QUEUED" }), "dev-1:boot-1:1:late");
    await publishReport(h.device, aReport("dev-1", 3, { status: "DONE", progress: 100 }));
    await publishReport(h.device, aReport("dev-1", 4, { revision: "fleet#1" }));
    await untilIngested(h.device);

    expect(await deviceEventTypes(h.store, "dev-1")).toEqual([
      "UpdateProgressReported",
      "UpdateProgressReported",
      "UpdateSucceeded",
    ]);
    const { events } = await h.store.readStream("device:dev-1");
    expect(events[4]?.data).toEqual({
      revision: { fleet: "fleet", number: 2 },
      status: "DONE",
      report: { bootId: "boot-1", seq: 3 },
      message: "report 3",
    });
    expect(events[4]?.metadata).toMatchObject({
      actor: "device:dev-1",
      correlationId: "dev-1:boot-1:3",
    });
    const counter = drops(h.gateway);
    expect([counter.get("duplicate"), counter.get("stale"), counter.get("not_targeted")]).toEqual([
      1, 1, 1,
    ]);
  });

  it("drops spoofed and malformed reports without an event", async () => {
    await aTargetedDevice(h.store, "dev-2");
    await aTargetedDevice(h.store, "dev-3");
    const js = jetstream(h.device);
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
    await untilIngested(h.device);

    expect(await deviceEventTypes(h.store, "dev-2")).toEqual([]);
    expect(await deviceEventTypes(h.store, "dev-3")).toEqual([]);
    expect(drops(h.gateway).get("spoofed")).toBe(1);
    expect(drops(h.gateway).get("malformed")).toBe(3);
  });

  it("a report from an earlier boot after a later one changes nothing; heartbeats are transitions", async () => {
    await aTargetedDevice(h.store, "dev-4");
    const beat = {
      kind: "heartbeat",
      deviceId: "dev-4",
      bootId: "boot-2",
      at: new Date().toISOString(),
    };
    await jetstream(h.device).publish("sc.dev.dev-4.status", JSON.stringify(beat));
    await jetstream(h.device).publish("sc.dev.dev-4.status", JSON.stringify(beat));
    await publishReport(h.device, aReport("dev-4", 1, { bootId: "boot-1" }));
    await publishReport(
      h.device,
      aReport("dev-4", 1, { bootId: "boot-2", status: "INPROGRESS", progress: 50 }),
    );
    await publishReport(h.device, aReport("dev-4", 2, { bootId: "boot-1" }));
    await untilIngested(h.device);

    expect(await deviceEventTypes(h.store, "dev-4")).toEqual([
      "DeviceCameOnline",
      "UpdateProgressReported",
      "UpdateProgressReported",
    ]);
    const { events } = await h.store.readStream("device:dev-4");
    expect(events.slice(3).map((e) => (e.data as { bootId: string }).bootId)).toEqual([
      "boot-1",
      "boot-2",
    ]);
  });

  it("creates the status stream with a dedup window, so a replayed msgID is stored once", async () => {
    const jsm = await jetstreamManager(h.device);
    const before = (await jsm.streams.info("SC_DEVICE_STATUS")).state.messages;
    const ack = await jetstream(h.device).publish(
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
