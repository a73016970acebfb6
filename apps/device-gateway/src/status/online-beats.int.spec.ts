import { parseDeviceMessage } from "@statecast/contract";
import { indexDefinitions, tableUpdates, untilTableUpdates } from "@statecast/testing";
import { PresenceSweeper } from "../presence/presence-sweeper.js";
import {
  aReport,
  aTargetedDevice,
  deviceEventTypes,
  useGateway,
} from "../testing/gateway.test-helper.js";
import { type ArrivedMessage, applyDevicesTogether } from "./device-report-applier.js";
import { DeviceStateCache } from "./device-state-cache.js";

const encoder = new TextEncoder();
let n = 0;

/** A message as the ingestor hands it to the applier (parsed from the bytes an agent sends). */
function arrived(
  deviceId: string,
  body: Record<string, unknown>,
  receivedAt: Date,
): ArrivedMessage {
  const parsed = parseDeviceMessage(encoder.encode(JSON.stringify(body)), deviceId);
  if (!parsed.ok) throw new Error(`test message refused: ${parsed.detail}`);
  return { message: parsed.message, messageId: `m-${++n}`, receivedAt: receivedAt.toISOString() };
}

const beat = (deviceId: string, at = new Date()) =>
  arrived(deviceId, { kind: "heartbeat", deviceId, bootId: "boot-1", at: at.toISOString() }, at);

// The applier alone on the gateway's migrated database (its presence table), devices the running
// gateway never hears of: the beats of an online device settle in one statement, not the lock.
describe("heartbeats of devices already online", () => {
  const h = useGateway();

  const apply = (cache: DeviceStateCache, deviceId: string, ...messages: ArrivedMessage[]) =>
    applyDevicesTogether(h.store, [{ deviceId, messages }], cache);

  const lastSeen = async (deviceId: string) => {
    const { rows } = await h.store.pool.query<{ last_seen: Date; online: boolean }>(
      "SELECT last_seen, online FROM device_presence WHERE device_id = $1",
      [deviceId],
    );
    return rows[0];
  };

  it("settle without the locked transaction, in order with the device's reports", async () => {
    await aTargetedDevice(h.store, "dev-ob1");
    const cache = new DeviceStateCache();
    const t0 = new Date(Date.now() - 60_000);
    expect(await apply(cache, "dev-ob1", beat("dev-ob1", t0))).toEqual([
      [{ applied: true, eventType: "DeviceCameOnline" }],
    ]);

    const statements = vi.spyOn(h.store, "statement");
    const transactions = vi.spyOn(h.store, "transaction");
    const t1 = new Date(t0.getTime() + 30_000);
    const messages = [
      beat("dev-ob1", t1),
      arrived("dev-ob1", { kind: "progress", ...aReport("dev-ob1", 1) }, t1),
      beat("dev-ob1", t1),
    ];
    const [fates] = await apply(cache, "dev-ob1", ...messages);
    expect(fates).toEqual([
      { applied: false, reason: "no_change", detail: "already online" },
      { applied: true, eventType: "UpdateProgressReported" },
      { applied: false, reason: "no_change", detail: "already online" },
    ]);
    expect(statements).toHaveBeenCalledTimes(1);
    expect(transactions).not.toHaveBeenCalled();
    expect((await lastSeen("dev-ob1"))?.last_seen).toEqual(t1);
    expect(await deviceEventTypes(h.store, "dev-ob1")).toEqual([
      "DeviceCameOnline",
      "UpdateProgressReported",
    ]);
    statements.mockRestore();
    transactions.mockRestore();
  });

  it("a device swept offline behind the cache's back comes online again through the lock", async () => {
    await aTargetedDevice(h.store, "dev-ob2");
    const cache = new DeviceStateCache();
    await apply(cache, "dev-ob2", beat("dev-ob2", new Date(Date.now() - 600_000)));
    expect(cache.get("dev-ob2")?.state.announcedOnline).toBe(true);
    // Another replica's sweep: DeviceWentOffline appended and the row cleared; this cache missed it.
    const sweeper = new PresenceSweeper(h.store, { offlineAfterMs: 90_000, sweepEveryMs: 10_000 });
    expect(await sweeper.sweep(new Date())).toBeGreaterThanOrEqual(1);
    expect((await lastSeen("dev-ob2"))?.online).toBe(false);

    const now = new Date();
    const [fates] = await apply(cache, "dev-ob2", beat("dev-ob2", now), beat("dev-ob2", now));
    expect(fates).toEqual([
      { applied: true, eventType: "DeviceCameOnline" },
      { applied: false, reason: "no_change", detail: "already online" },
    ]);
    expect(await lastSeen("dev-ob2")).toEqual({ last_seen: now, online: true });
    expect(await deviceEventTypes(h.store, "dev-ob2")).toEqual([
      "DeviceCameOnline",
      "DeviceWentOffline",
      "DeviceCameOnline",
    ]);
  });

  it("a device that beat before it was enrolled comes online once enrolled, whatever the cache kept", async () => {
    const cache = new DeviceStateCache();
    const early = new Date(Date.now() - 60_000);
    // Not enrolled yet: the beat decides nothing, but its presence row is written online.
    expect(await apply(cache, "dev-ob3", beat("dev-ob3", early))).toEqual([
      [{ applied: false, reason: "no_change", detail: "already online" }],
    ]);
    expect((await lastSeen("dev-ob3"))?.online).toBe(true);
    await aTargetedDevice(h.store, "dev-ob3"); // enrolled behind this cache's back
    const [fates] = await apply(cache, "dev-ob3", beat("dev-ob3"));
    expect(fates).toEqual([{ applied: true, eventType: "DeviceCameOnline" }]);
    expect(await deviceEventTypes(h.store, "dev-ob3")).toEqual(["DeviceCameOnline"]);
  });

  it("move last_seen in place: no index names it, and the beats' updates stay on their pages", async () => {
    const { pool } = h.store;
    for (const def of await indexDefinitions(pool, "device_presence"))
      expect(def).not.toMatch(/last_seen|online/);
    const ids = Array.from({ length: 20 }, (_, i) => `dev-hot${i}`);
    const cache = new DeviceStateCache();
    const t0 = Date.now() - 60_000;
    for (const id of ids) {
      await aTargetedDevice(h.store, id);
      await apply(cache, id, beat(id, new Date(t0)));
    }
    const before = await tableUpdates(pool, "device_presence");
    for (let round = 1; round <= 5; round++)
      await applyDevicesTogether(
        h.store,
        ids.map((deviceId) => ({
          deviceId,
          messages: [beat(deviceId, new Date(t0 + round * 1000))],
        })),
        cache,
      );
    // Statistics reach the view when the pool's backends next report them (at most ~10 s idle).
    const after = await untilTableUpdates(pool, "device_presence", before.updates + ids.length * 5);
    // The running gateway writes presence rows too (its sweeper): at least these beats' updates.
    const updated = after.updates - before.updates;
    expect(updated).toBeGreaterThanOrEqual(ids.length * 5);
    expect(after.hot - before.hot).toBeGreaterThanOrEqual(updated * 0.75);
  });
});
