import { deviceCatalog, type RecordedEvent } from "@statecast/events";
import type pg from "pg";
import type { Projection } from "../projections/projection.js";
import { type DeviceRecord, evolveDevice } from "./device-record.js";

const DEVICE_PREFIX = "device:";

/** The rows of every device in `deviceIds`, in one query. */
async function loadAll(
  client: pg.ClientBase,
  deviceIds: readonly string[],
): Promise<Map<string, DeviceRecord>> {
  const { rows } = await client.query<{ device_id: string; record: DeviceRecord }>(
    "SELECT device_id, record FROM device_registry WHERE device_id = ANY($1::text[])",
    [deviceIds],
  );
  return new Map(rows.map((row) => [row.device_id, row.record]));
}

const COLUMNS = `$1::text[], $2::text[], $3::jsonb[], $4::text[], $5::text[], $6::boolean[],
  $7::timestamptz[], $8::jsonb[]`;

// Rows the batch loaded: updated in place (no insert attempted first, as an upsert does).
const UPDATE_ROWS = `UPDATE device_registry d SET fleet = u.fleet, tags = u.tags, approval = u.approval,
  last_status = u.last_status, online = u.online, last_seen_at = u.last_seen_at, record = u.record
FROM unnest(${COLUMNS})
  AS u(device_id, fleet, tags, approval, last_status, online, last_seen_at, record)
WHERE d.device_id = u.device_id`;

const INSERT_ROWS = `INSERT INTO device_registry
  (device_id, fleet, tags, approval, last_status, online, last_seen_at, record)
SELECT * FROM unnest(${COLUMNS})
ON CONFLICT (device_id) DO UPDATE SET fleet = excluded.fleet, tags = excluded.tags,
  approval = excluded.approval, last_status = excluded.last_status, online = excluded.online,
  last_seen_at = excluded.last_seen_at, record = excluded.record`;

const columns = (records: readonly DeviceRecord[]) => [
  records.map((r) => r.deviceId),
  records.map((r) => r.fleet),
  records.map((r) => JSON.stringify(r.tags)),
  records.map((r) => r.approval),
  records.map((r) => r.lastStatus),
  records.map((r) => r.online),
  records.map((r) => r.lastSeenAt),
  records.map((r) => JSON.stringify(r)),
];

/**
 * Writes every record in at most two statements (columns as arrays, unnest): an UPDATE of the
 * rows the batch loaded and an INSERT of new devices. SQL, not the `DeviceRegistryRow`
 * repository: it runs on the processor's client inside the transaction that moves the
 * projection's checkpoint, which an EntityManager cannot join, and a statement per batch of up to
 * 2,000 events is what keeps the projection ahead of a fleet's reports.
 */
async function saveAll(
  client: pg.ClientBase,
  records: readonly DeviceRecord[],
  stored: ReadonlyMap<string, DeviceRecord>,
): Promise<void> {
  const known = records.filter((r) => stored.has(r.deviceId));
  const fresh = records.filter((r) => !stored.has(r.deviceId));
  if (known.length > 0) {
    const { rowCount } = await client.query(UPDATE_ROWS, columns(known));
    // Only this processor writes the rows, and it loaded them in this transaction.
    if (rowCount !== known.length)
      throw new Error(`device_registry: ${rowCount} of ${known.length} loaded rows updated`);
  }
  if (fresh.length > 0) await client.query(INSERT_ROWS, columns(fresh));
}

/**
 * `device_registry`: the fold of each device stream, one row per device. A batch costs at most
 * three statements whatever its size: load the rows of every device it touches, fold in memory,
 * write the changed rows; the processor commits them with its checkpoint.
 */
export const deviceRegistryProjection: Projection = {
  name: "orchestrator.device-registry",
  byStream: true,
  // A device's reports come close together in the log (DOWNLOADING, then DONE): a window of 2,000
  // events holds several of most devices, folded in memory and written once.
  batchSize: 2000,
  types: deviceCatalog.map((definition) => definition.type),
  async handle(events: readonly RecordedEvent[], client: pg.ClientBase): Promise<void> {
    const deviceEvents = events.filter((event) => event.streamId.startsWith(DEVICE_PREFIX));
    if (deviceEvents.length === 0) return;
    const ids = [...new Set(deviceEvents.map((e) => e.streamId.slice(DEVICE_PREFIX.length)))];
    const stored = await loadAll(client, ids);
    const touched = new Map<string, DeviceRecord>();
    for (const event of deviceEvents) {
      const deviceId = event.streamId.slice(DEVICE_PREFIX.length);
      const before = touched.get(deviceId) ?? stored.get(deviceId);
      // A replayed event (at-least-once delivery) is already folded in: skip it.
      if (before && before.version >= event.streamVersion) continue;
      touched.set(deviceId, evolveDevice(before, event));
    }
    if (touched.size > 0) await saveAll(client, [...touched.values()], stored);
  },
};
