import { deviceCatalog, type RecordedEvent } from "@statecast/events";
import type pg from "pg";
import type { Projection } from "../projections/projection.js";
import { type DeviceRecord, evolveDevice } from "./device-record.js";

async function load(client: pg.ClientBase, deviceId: string): Promise<DeviceRecord | undefined> {
  const { rows } = await client.query<{ record: DeviceRecord }>(
    "SELECT record FROM device_registry WHERE device_id = $1",
    [deviceId],
  );
  return rows[0]?.record;
}

async function save(client: pg.ClientBase, record: DeviceRecord): Promise<void> {
  await client.query(
    `INSERT INTO device_registry (device_id, fleet, tags, approval, last_status, online, last_seen_at, record)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (device_id) DO UPDATE SET fleet = $2, tags = $3, approval = $4, last_status = $5,
       online = $6, last_seen_at = $7, record = $8`,
    [
      record.deviceId,
      record.fleet,
      JSON.stringify(record.tags),
      record.approval,
      record.lastStatus,
      record.online,
      record.lastSeenAt,
      JSON.stringify(record),
    ],
  );
}

/** `device_registry`: the fold of each device stream, one row per device. */
export const deviceRegistryProjection: Projection = {
  name: "orchestrator.device-registry",
  types: deviceCatalog.map((definition) => definition.type),
  async handle(events: readonly RecordedEvent[], client: pg.ClientBase): Promise<void> {
    const touched = new Map<string, DeviceRecord>();
    for (const event of events) {
      if (!event.streamId.startsWith("device:")) continue;
      const deviceId = event.streamId.slice("device:".length);
      const before = touched.get(deviceId) ?? (await load(client, deviceId));
      // A replayed event (at-least-once delivery) is already folded in: skip it.
      if (before && before.version >= event.streamVersion) continue;
      touched.set(deviceId, evolveDevice(before, event));
    }
    for (const record of touched.values()) await save(client, record);
  },
};
