import { Injectable } from "@nestjs/common";
import { InjectRepository } from "@nestjs/typeorm";
import type { Repository } from "typeorm";
import { currentShape, type DeviceRecord } from "./device-record.js";
import { DeviceRegistryRow } from "./device-registry.entity.js";

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

/** The running revision's number as text: a stored generated column, indexed (migration 0007). */
const CURRENT_REVISION = "running_revision";
const CURRENT_REVISION_OF_ROW = "d.running_revision";

/**
 * The record's `drifted` flag; records stored before it existed read as `isDrifted` would decide
 * (runs another revision than its target, no update towards it under way).
 */
const DRIFTED = `CASE WHEN record ? 'drifted' THEN (record ->> 'drifted')::boolean
  ELSE jsonb_typeof(record -> 'target') = 'object'
    AND jsonb_typeof(record -> 'currentRevision') = 'object'
    AND record -> 'target' -> 'revision' <> record -> 'currentRevision'
    AND coalesce(last_status, 'NEW') NOT IN ('NEW', 'QUEUED', 'DOWNLOADING', 'INPROGRESS', 'TESTING')
  END`;

export interface DeviceSummary {
  total: number;
  online: number;
  offline: number;
  /** Devices whose record is `drifted`: another revision than their target, none under way. */
  drifted: number;
  byRevision: { fleet: string | null; number: number | null; count: number }[];
  byStatus: { status: string | null; count: number }[];
}

/** Reads the `device_registry` projection. */
@Injectable()
export class DeviceRepository {
  constructor(
    @InjectRepository(DeviceRegistryRow) private readonly registry: Repository<DeviceRegistryRow>,
  ) {}

  async find(deviceId: string): Promise<DeviceRecord | undefined> {
    const row = await this.registry.findOne({ select: { record: true }, where: { deviceId } });
    return row ? currentShape(row.record) : undefined;
  }

  async list(query: DeviceQuery): Promise<DeviceRecord[]> {
    const q = this.registry
      .createQueryBuilder("d")
      .select(["d.deviceId", "d.record"])
      .orderBy("d.deviceId")
      .limit(query.limit);
    if (query.fleet !== undefined) q.andWhere("d.fleet = :fleet", { fleet: query.fleet });
    if (query.tag !== undefined) {
      const at = query.tag.indexOf("=");
      if (at === -1) q.andWhere("d.tags ? :tag", { tag: query.tag });
      else {
        const tags = JSON.stringify({ [query.tag.slice(0, at)]: query.tag.slice(at + 1) });
        q.andWhere("d.tags @> CAST(:tags AS jsonb)", { tags });
      }
    }
    if (query.status !== undefined) q.andWhere("d.lastStatus = :status", { status: query.status });
    if (query.online !== undefined) q.andWhere("d.online = :online", { online: query.online });
    if (query.approval !== undefined) {
      q.andWhere("d.approval = :approval", { approval: query.approval });
    }
    if (query.revision !== undefined) {
      q.andWhere(`${CURRENT_REVISION_OF_ROW} = :revision`, { revision: String(query.revision) });
    }
    if (query.after !== undefined) q.andWhere("d.deviceId > :after", { after: query.after });
    const rows = await q.getMany();
    return rows.map((row) => currentShape(row.record));
  }

  /**
   * Counts by running revision, by last status and online/offline (decommissioned left out).
   * Aggregates over JSON expressions read plainer as SQL than as a query builder; they run on the
   * repository's DataSource.
   */
  async summary(fleet: string | undefined): Promise<DeviceSummary> {
    const where = `WHERE approval <> 'decommissioned'${fleet === undefined ? "" : " AND fleet = $1"}`;
    const values = fleet === undefined ? [] : [fleet];
    const [presence, revisions, statuses] = await Promise.all([
      this.registry.query<{ online: string; offline: string; drifted: string }[]>(
        `SELECT count(*) FILTER (WHERE online) AS online, count(*) FILTER (WHERE NOT online) AS offline,
           count(*) FILTER (WHERE ${DRIFTED}) AS drifted
         FROM device_registry ${where}`,
        values,
      ),
      this.registry.query<{ fleet: string | null; number: string | null; count: string }[]>(
        `SELECT record -> 'currentRevision' ->> 'fleet' AS fleet, ${CURRENT_REVISION} AS number,
           count(*) FROM device_registry ${where} GROUP BY 1, 2 ORDER BY 1, 2::int DESC`,
        values,
      ),
      this.registry.query<{ status: string | null; count: string }[]>(
        `SELECT last_status AS status, count(*) FROM device_registry ${where}
         GROUP BY 1 ORDER BY 2 DESC`,
        values,
      ),
    ]);
    const online = Number(presence[0]?.online ?? 0);
    const offline = Number(presence[0]?.offline ?? 0);
    return {
      total: online + offline,
      online,
      offline,
      drifted: Number(presence[0]?.drifted ?? 0),
      byRevision: revisions.map((r) => ({
        fleet: r.fleet,
        number: r.number === null ? null : Number(r.number),
        count: Number(r.count),
      })),
      byStatus: statuses.map((r) => ({ status: r.status, count: Number(r.count) })),
    };
  }
}
