import type { Queryable } from "@statecast/events";
import type {
  ActiveRolloutClaim,
  DeviceSelector,
  FleetDevice,
  RevisionRef,
} from "./domain/index.js";

/** A device as a rollout sees it: the fleet it is in, plus what the plan needs. */
export type SelectedDevice = FleetDevice & { fleet: string | null };

interface DeviceRow {
  device_id: string;
  fleet: string | null;
  online: boolean;
  current_revision: RevisionRef | null;
}

const COLUMNS = "device_id, fleet, online, record -> 'currentRevision' AS current_revision";

function toDevice(row: DeviceRow): SelectedDevice {
  return {
    deviceId: row.device_id,
    fleet: row.fleet,
    online: row.online,
    currentRevision: row.current_revision ?? null,
  };
}

/**
 * The devices a selector matches in the device registry: every given criterion must hold (ids
 * listed, fleet equal, and each tag `key` present or `key=value` equal). Only approved devices
 * are selected: a pending device (enrolled without a token, not yet approved) or a decommissioned
 * one never holds a wave, so devices anyone with the enrollment creds can hello cannot stall a
 * rollout or trip its gates.
 */
export async function selectDevices(
  db: Queryable,
  selector: DeviceSelector,
): Promise<SelectedDevice[]> {
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const where = ["approval = 'approved'"];
  if (selector.ids !== undefined) where.push(`device_id = ANY(${param(selector.ids)}::text[])`);
  if (selector.fleet !== undefined) where.push(`fleet = ${param(selector.fleet)}`);
  for (const tag of selector.tags ?? []) {
    const at = tag.indexOf("=");
    where.push(
      at === -1
        ? `tags ? ${param(tag)}`
        : `tags @> ${param(JSON.stringify({ [tag.slice(0, at)]: tag.slice(at + 1) }))}::jsonb`,
    );
  }
  const { rows } = await db.query<DeviceRow>(
    `SELECT ${COLUMNS} FROM device_registry WHERE ${where.join(" AND ")} ORDER BY device_id`,
    values,
  );
  return rows.map(toDevice);
}

/** Whether one registry device matches a selector (for devices joining mid-rollout). */
export function matchesSelector(
  device: { deviceId: string; fleet: string | null; tags: Record<string, string> },
  selector: DeviceSelector,
): boolean {
  if (selector.ids !== undefined && !selector.ids.includes(device.deviceId)) return false;
  if (selector.fleet !== undefined && device.fleet !== selector.fleet) return false;
  return (selector.tags ?? []).every((tag) => {
    const at = tag.indexOf("=");
    if (at === -1) return tag in device.tags;
    return device.tags[tag.slice(0, at)] === tag.slice(at + 1);
  });
}

/** Rollouts still holding devices (running or paused), with their members. */
export async function activeClaims(db: Queryable): Promise<ActiveRolloutClaim[]> {
  const { rows } = await db.query<{ rollout_id: string; device_ids: string[] }>(
    `SELECT m.rollout_id, array_agg(m.device_id) AS device_ids FROM rollout_members m
     JOIN rollouts r USING (rollout_id) WHERE r.status IN ('running', 'paused')
     GROUP BY m.rollout_id`,
  );
  return rows.map((row) => ({ rolloutId: row.rollout_id, deviceIds: row.device_ids }));
}

/**
 * For each device, the rollout its reports belong to: the running or paused one holding it, else
 * the latest completed one — a device still updating when its rollout completed must still be
 * counted (late failures, and a later rollback must return it too).
 */
export async function holdingRollouts(
  db: Queryable,
  deviceIds: readonly string[],
): Promise<Map<string, string>> {
  const { rows } = await db.query<{ device_id: string; rollout_id: string }>(
    `SELECT DISTINCT ON (m.device_id) m.device_id, m.rollout_id
       FROM rollout_members m JOIN rollouts r USING (rollout_id)
      WHERE m.device_id = ANY($1::text[]) AND r.status IN ('running', 'paused', 'completed')
      ORDER BY m.device_id, (r.status <> 'completed') DESC, r.created_at DESC`,
    [deviceIds],
  );
  return new Map(rows.map((row) => [row.device_id, row.rollout_id]));
}

/** The digest of a posted revision, or undefined when the fleet has no such revision. */
export async function revisionDigest(
  db: Queryable,
  revision: RevisionRef,
): Promise<string | undefined> {
  const { rows } = await db.query<{ digest: string }>(
    "SELECT digest FROM fleet_revisions WHERE fleet = $1 AND number = $2",
    [revision.fleet, revision.number],
  );
  return rows[0]?.digest;
}
