import { type DeviceState, foldDevice, isEnrolled } from "@statecast/device-domain";
import { deviceStreamId, revisionStreamId } from "@statecast/events";
import type pg from "pg";

/** Who may read which object, and how long an allowed read is remembered. */
export interface ObjectAccessOptions {
  /**
   * Fleets whose objects are public to their own devices: a device of such a fleet may read any
   * object of any revision posted to its fleet, targeted or not. Off (empty) by default.
   */
  publicObjectFleets: readonly string[];
  /** How long an allowed (device, object) pair is remembered before it is checked again. */
  cacheMs?: number;
}

const CACHE_LIMIT = 10_000;

/**
 * The rule for a device reading an object (HTTP route and `sc.dev.<id>.object` alike): the device
 * is approved and not decommissioned, and the object is the state or one of the objects of a
 * revision of its own fleet that it was targeted with (`TargetAssigned` in its stream: the
 * digest it names, and the `RevisionPosted` state digest and objects) — or its
 * fleet's objects are public. `_config` files often hold secrets, and object ids are guessable
 * once seen anywhere, so nothing else is served. Answers a refusal reason, or undefined.
 */
export class ObjectAccess {
  private readonly allowed = new Map<string, number>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: ObjectAccessOptions = { publicObjectFleets: [] },
    private readonly clock: () => number = Date.now,
  ) {}

  async refusal(deviceId: string, sha: string): Promise<string | undefined> {
    const key = `${deviceId}/${sha}`;
    const now = this.clock();
    if ((this.allowed.get(key) ?? 0) > now) return undefined;
    const device = await this.device(deviceId);
    const { fleet } = device;
    if (!isEnrolled(device) || fleet === null) return `device ${deviceId} is not enrolled`;
    if (device.approval !== "approved") return `device ${deviceId} is ${device.approval}`;
    const own = device.targeted.filter((target) => target.revision.fleet === fleet);
    const streams = this.options.publicObjectFleets.includes(fleet)
      ? undefined
      : own.map(({ revision }) => revisionStreamId(revision.fleet, revision.number));
    const isTargetState = own.some((target) => target.digest === sha);
    if (!isTargetState && !(await this.inRevision(sha, fleet, streams)))
      return `object ${sha} is not part of a revision device ${deviceId} was targeted with`;
    if (this.allowed.size >= CACHE_LIMIT) this.allowed.clear();
    this.allowed.set(key, now + (this.options.cacheMs ?? 30_000));
    return undefined;
  }

  /**
   * The device aggregate folded from only the events of its stream that decide its approval, fleet
   * and targeted revisions (the rest, reports above all, change none of these).
   */
  private async device(deviceId: string): Promise<DeviceState> {
    const { rows } = await this.pool.query<{ type: string; data: unknown }>(
      `SELECT type, data FROM events WHERE stream_id = $1
          AND type IN ('DeviceEnrolled', 'DeviceApproved', 'DeviceRekeyed', 'DeviceDecommissioned',
                       'TargetAssigned')
        ORDER BY stream_version`,
      [deviceStreamId(deviceId)],
    );
    return foldDevice(deviceId, rows);
  }

  /** Whether a revision (of these streams, or any of the fleet's when undefined) names `sha`. */
  private async inRevision(
    sha: string,
    fleet: string,
    streams: string[] | undefined,
  ): Promise<boolean> {
    if (streams?.length === 0) return false;
    const where = streams ? "stream_id = ANY($2::text[])" : "stream_id LIKE $2";
    const { rows } = await this.pool.query(
      `SELECT 1 FROM events WHERE ${where} AND type = 'RevisionPosted'
          AND (data ->> 'digest' = $1 OR data -> 'objects' ? $1) LIMIT 1`,
      [sha, streams ?? `revision:${fleet.replace(/[\\%_]/g, "\\$&")}:%`],
    );
    return rows.length > 0;
  }
}
