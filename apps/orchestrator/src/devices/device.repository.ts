import { Inject, Injectable } from "@nestjs/common";
import type pg from "pg";
import { PG_POOL } from "../projections/pool.js";
import { currentShape, type DeviceRecord } from "./device-record.js";

export interface DeviceQuery {
  fleet?: string;
  /** `key=value` (tag equals) or `key` (tag present). */
  tag?: string;
  /** Last update status (DONE, ERROR, …). */
  status?: string;
  online?: boolean;
  approval?: string;
  /** The number of the revision the device runs (within its fleet). */
  revision?: number;
  /** Keyset pagination: devices with an id after this one. */
  after?: string;
  limit: number;
}

/** The running revision's number, as the `device_registry_by_revision` index has it. */
const CURRENT_REVISION = "(record -> 'currentRevision' ->> 'number')";

export interface DeviceSummary {
  total: number;
  online: number;
  offline: number;
  /** Devices with a target they do not run (updating, failed or stuck). */
  drifted: number;
  byRevision: { fleet: string | null; number: number | null; count: number }[];
  byStatus: { status: string | null; count: number }[];
}

/** Reads the `device_registry` projection. */
@Injectable()
export class DeviceRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async find(deviceId: string): Promise<DeviceRecord | undefined> {
    const { rows } = await this.pool.query<{ record: DeviceRecord }>(
      "SELECT record FROM device_registry WHERE device_id = $1",
      [deviceId],
    );
    return rows[0] ? currentShape(rows[0].record) : undefined;
  }

  async list(query: DeviceQuery): Promise<DeviceRecord[]> {
    const values: unknown[] = [];
    const param = (value: unknown) => {
      values.push(value);
      return `$${values.length}`;
    };
    const where: string[] = [];
    if (query.fleet !== undefined) where.push(`fleet = ${param(query.fleet)}`);
    if (query.tag !== undefined) {
      const at = query.tag.indexOf("=");
      where.push(
        at === -1
          ? `tags ? ${param(query.tag)}`
          : `tags @> ${param(JSON.stringify({ [query.tag.slice(0, at)]: query.tag.slice(at + 1) }))}::jsonb`,
      );
    }
    if (query.status !== undefined) where.push(`last_status = ${param(query.status)}`);
    if (query.online !== undefined) where.push(`online = ${param(query.online)}`);
    if (query.approval !== undefined) where.push(`approval = ${param(query.approval)}`);
    if (query.revision !== undefined)
      where.push(`${CURRENT_REVISION} = ${param(String(query.revision))}`);
    if (query.after !== undefined) where.push(`device_id > ${param(query.after)}`);
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    const { rows } = await this.pool.query<{ record: DeviceRecord }>(
      `SELECT record FROM device_registry ${clause} ORDER BY device_id LIMIT ${param(query.limit)}`,
      values,
    );
    return rows.map((row) => currentShape(row.record));
  }

  /** Counts by running revision, by last status and online/offline (decommissioned left out). */
  async summary(fleet: string | undefined): Promise<DeviceSummary> {
    const where = `WHERE approval <> 'decommissioned'${fleet === undefined ? "" : " AND fleet = $1"}`;
    const values = fleet === undefined ? [] : [fleet];
    const [presence, revisions, statuses] = await Promise.all([
      this.pool.query<{ online: string; offline: string; drifted: string }>(
        `SELECT count(*) FILTER (WHERE online) AS online, count(*) FILTER (WHERE NOT online) AS offline,
           count(*) FILTER (WHERE jsonb_typeof(record -> 'target') = 'object'
             AND record -> 'target' -> 'revision' IS DISTINCT FROM record -> 'currentRevision') AS drifted
         FROM device_registry ${where}`,
        values,
      ),
      this.pool.query<{ fleet: string | null; number: string | null; count: string }>(
        `SELECT record -> 'currentRevision' ->> 'fleet' AS fleet, ${CURRENT_REVISION} AS number,
           count(*) FROM device_registry ${where} GROUP BY 1, 2 ORDER BY 1, 2::int DESC`,
        values,
      ),
      this.pool.query<{ status: string | null; count: string }>(
        `SELECT last_status AS status, count(*) FROM device_registry ${where}
         GROUP BY 1 ORDER BY 2 DESC`,
        values,
      ),
    ]);
    const online = Number(presence.rows[0]?.online ?? 0);
    const offline = Number(presence.rows[0]?.offline ?? 0);
    return {
      total: online + offline,
      online,
      offline,
      drifted: Number(presence.rows[0]?.drifted ?? 0),
      byRevision: revisions.rows.map((r) => ({
        fleet: r.fleet,
        number: r.number === null ? null : Number(r.number),
        count: Number(r.count),
      })),
      byStatus: statuses.rows.map((r) => ({ status: r.status, count: Number(r.count) })),
    };
  }
}
