import { jetstream } from "@nats-io/jetstream";
import { StatusIngestor } from "../status/status-ingestor.js";
import {
  aTargetedDevice,
  deviceEventTypes,
  untilIngested,
  useGateway,
} from "../testing/gateway.test-helper.js";
import { PresenceReader } from "./presence.reader.js";
import { PresenceSweeper } from "./presence-sweeper.js";

const later = () => new Date(Date.now() + 10 * 60_000);

describe("presence", () => {
  const h = useGateway();

  const beat = async (deviceId: string) => {
    const body = { kind: "heartbeat", deviceId, bootId: "boot-1", at: new Date().toISOString() };
    await jetstream(h.device).publish(`sc.dev.${deviceId}.status`, JSON.stringify(body));
  };

  it("heartbeats and silence become online/offline transitions only", async () => {
    await aTargetedDevice(h.store, "dev-p");
    for (let i = 0; i < 3; i++) await beat("dev-p");
    await untilIngested(h.device);
    expect(await deviceEventTypes(h.store, "dev-p")).toEqual(["DeviceCameOnline"]);
    // The read model through its entity: the heartbeat, and the device counted online.
    const presence = h.gateway.app.get(PresenceReader);
    const seen = await presence.find("dev-p");
    expect(seen).toMatchObject({ deviceId: "dev-p", online: true });
    expect(seen?.lastSeen).toBeInstanceOf(Date);
    const onlineBefore = await presence.onlineCount();
    expect(onlineBefore).toBeGreaterThanOrEqual(1);
    expect(await presence.find("never-heard-from")).toBeUndefined();

    const sweeper = h.gateway.app.get(PresenceSweeper);
    expect(await sweeper.sweep(new Date())).toBe(0); // not silent yet
    expect(await sweeper.sweep(later())).toBe(1);
    expect((await presence.find("dev-p"))?.online).toBe(false);
    expect(await presence.onlineCount()).toBe(onlineBefore - 1);
    expect(await sweeper.sweep(later())).toBe(0);
    expect(await deviceEventTypes(h.store, "dev-p")).toEqual([
      "DeviceCameOnline",
      "DeviceWentOffline",
    ]);

    await beat("dev-p");
    await beat("dev-p");
    await untilIngested(h.device);
    expect(await deviceEventTypes(h.store, "dev-p")).toEqual([
      "DeviceCameOnline",
      "DeviceWentOffline",
      "DeviceCameOnline",
    ]);
  });

  it("two replicas sweeping at once declare a device offline once", async () => {
    await aTargetedDevice(h.store, "dev-q");
    await beat("dev-q");
    await untilIngested(h.device);
    const other = new PresenceSweeper(h.store, { offlineAfterMs: 90_000, sweepEveryMs: 10_000 });
    const at = later();
    const marked = await Promise.all([
      h.gateway.app.get(PresenceSweeper).sweep(at),
      other.sweep(at),
    ]);
    expect(marked.filter((n) => n > 0)).toHaveLength(1); // the other found the lock held or nothing left
    expect(await deviceEventTypes(h.store, "dev-q")).toEqual([
      "DeviceCameOnline",
      "DeviceWentOffline",
    ]);
    expect(await deviceEventTypes(h.store, "dev-p")).toEqual([
      "DeviceCameOnline",
      "DeviceWentOffline",
      "DeviceCameOnline",
      "DeviceWentOffline",
    ]);
  });
});

describe("presence behind a status backlog", () => {
  const h = useGateway();

  it("takes no unread beat for silence: the sweep counts silence up to what was ingested", async () => {
    const beat = async (deviceId: string) => {
      const body = { kind: "heartbeat", deviceId, bootId: "b", at: new Date().toISOString() };
      await jetstream(h.device).publish(`sc.dev.${deviceId}.status`, JSON.stringify(body));
    };
    for (const deviceId of ["dev-r", "dev-s"]) {
      await aTargetedDevice(h.store, deviceId);
      await beat(deviceId);
    }
    await untilIngested(h.device);
    // The gateway stops reading: dev-r's next beat waits in the stream, unread. dev-s was last
    // heard ten minutes before it: silent by then, backlog or not.
    await h.gateway.app.get(StatusIngestor).stop();
    await beat("dev-r");
    await h.store.pool.query(
      "UPDATE device_presence SET last_seen = now() - interval '10 minutes' WHERE device_id = 'dev-s'",
    );
    expect(await h.gateway.app.get(PresenceSweeper).sweep(later())).toBe(1);
    expect(await deviceEventTypes(h.store, "dev-r")).toEqual(["DeviceCameOnline"]);
    expect(await deviceEventTypes(h.store, "dev-s")).toEqual([
      "DeviceCameOnline",
      "DeviceWentOffline",
    ]);
  });
});
