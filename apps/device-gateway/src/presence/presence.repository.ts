import type { PostgresEventStore } from "@statecast/events";
import type pg from "pg";

// The writes (and the sweep's locked read) are SQL on the event store's client rather than the
// DevicePresence entity's repository, which serves the other reads (presence.reader): they run
// inside a transaction the event store holds on its own pg client (the ingestion batch, the sweep
// that appends DeviceWentOffline), which an EntityManager cannot join, and the heartbeat upsert
// is one statement per ingestion batch of up to thousands of reports (the status path's hot loop).

/**
 * Records heartbeats (inside the ingestion transaction, BEFORE the device streams are read: the
 * row lock orders a heartbeat after a sweep that is marking the same device offline).
 */
export async function recordHeartbeats(
  client: pg.ClientBase,
  beats: readonly { deviceId: string; at: string }[],
): Promise<void> {
  if (beats.length === 0) return;
  const sorted = latestBeats(beats);
  await client.query(
    `INSERT INTO device_presence (device_id, last_seen, online)
     SELECT beat.device_id, beat.at, true
       FROM unnest($1::text[], $2::timestamptz[]) AS beat (device_id, at)
     ON CONFLICT (device_id) DO UPDATE
       SET last_seen = GREATEST(device_presence.last_seen, EXCLUDED.last_seen), online = true`,
    [sorted.map(([deviceId]) => deviceId), sorted.map(([, at]) => at)],
  );
}

/** Online devices silent since before `cutoff`, locked for this transaction. */
export async function silentDevices(
  client: pg.ClientBase,
  cutoff: Date,
  limit: number,
): Promise<{ deviceId: string; lastSeen: Date }[]> {
  const { rows } = await client.query<{ device_id: string; last_seen: Date }>(
    `SELECT device_id, last_seen FROM device_presence
      WHERE online AND last_seen < $1 ORDER BY device_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [cutoff, limit],
  );
  return rows.map((r) => ({ deviceId: r.device_id, lastSeen: r.last_seen }));
}

export async function markOffline(client: pg.ClientBase, deviceId: string): Promise<void> {
  await client.query("UPDATE device_presence SET online = false WHERE device_id = $1", [deviceId]);
}

/** Each device's latest beat, in device id order (the order every writer locks rows in). */
function latestBeats(beats: readonly { deviceId: string; at: string }[]): [string, string][] {
  const latest = new Map<string, string>();
  for (const { deviceId, at } of beats) {
    const seen = latest.get(deviceId);
    if (!seen || Date.parse(at) > Date.parse(seen)) latest.set(deviceId, at);
  }
  return [...latest].sort(([a], [b]) => (a < b ? -1 : 1));
}

/**
 * The presence rows still online among these devices, locked in id order, and their `last_seen`
 * moved, in one autocommitted statement (the status path's online beats, `online-beats.ts`). The
 * lock waits for a sweep marking the same device offline; re-checked after it, that row is no
 * longer online and is not refreshed. Returns the devices refreshed.
 */
const REFRESH_ONLINE = {
  name: "sc_gateway_refresh_online_presence",
  text: `WITH locked AS MATERIALIZED (
  SELECT device_id FROM device_presence
   WHERE device_id = ANY($1::text[]) AND online ORDER BY device_id FOR UPDATE)
UPDATE device_presence AS p SET last_seen = GREATEST(p.last_seen, beat.at)
  FROM unnest($1::text[], $2::timestamptz[]) AS beat (device_id, at)
  JOIN locked USING (device_id)
 WHERE p.device_id = beat.device_id
RETURNING p.device_id`,
};

export async function refreshOnline(
  store: PostgresEventStore,
  beats: readonly { deviceId: string; at: string }[],
): Promise<Set<string>> {
  const sorted = latestBeats(beats);
  const { rows } = await store.statement<{ device_id: string }>({
    ...REFRESH_ONLINE,
    values: [sorted.map(([deviceId]) => deviceId), sorted.map(([, at]) => at)],
  });
  return new Set(rows.map((r) => r.device_id));
}
