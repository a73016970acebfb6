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
  /** Keyset pagination: devices with an id after this one. */
  after?: string;
  limit: number;
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
    if (query.after !== undefined) where.push(`device_id > ${param(query.after)}`);
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    const { rows } = await this.pool.query<{ record: DeviceRecord }>(
      `SELECT record FROM device_registry ${clause} ORDER BY device_id LIMIT ${param(query.limit)}`,
      values,
    );
    return rows.map((row) => currentShape(row.record));
  }
}
