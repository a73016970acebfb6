import { Inject, Injectable } from "@nestjs/common";
import { InjectDataSource } from "@nestjs/typeorm";
import { poolOf } from "@statecast/events";
import type pg from "pg";
import type { DataSource } from "typeorm";
import { deviceRegistryProjection } from "../devices/device-registry.projection.js";
import { ProjectionWaiter } from "../projections/projection-waiter.js";
import type { ActiveRolloutClaim, DeviceSelector, RevisionRef } from "./domain/index.js";
import {
  activeClaims,
  revisionDigest,
  type SelectedDevice,
  selectDevices,
} from "./rollout-fleet.js";
import { type RolloutTransfer, rolloutTransfer } from "./rollout-transfer.js";

/**
 * What operator commands read of the fleet before deciding (the registry, the rollout tables,
 * the revisions), outside any transaction. The process manager runs the same queries
 * (rollout-fleet.ts) on its own transaction's client.
 *
 * A selection reads the registry once it has folded every device event committed before the
 * request: a device enrolled (or retagged, or reporting a revision) just before a rollout is
 * created or started is in it, however far behind the projection was.
 */
@Injectable()
export class RolloutFleetRepository {
  private readonly pool: pg.Pool;

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(ProjectionWaiter) private readonly projections: ProjectionWaiter,
  ) {
    this.pool = poolOf(dataSource);
  }

  async selectDevices(selector: DeviceSelector): Promise<SelectedDevice[]> {
    await this.projections.waitForNewest(deviceRegistryProjection);
    return selectDevices(this.pool, selector);
  }

  activeClaims(): Promise<ActiveRolloutClaim[]> {
    return activeClaims(this.pool);
  }

  async revisionExists(revision: RevisionRef): Promise<boolean> {
    return (await revisionDigest(this.pool, revision)) !== undefined;
  }

  transfer(rolloutId: string, revision: RevisionRef): Promise<RolloutTransfer> {
    return rolloutTransfer(this.pool, rolloutId, revision);
  }

  /** Those of `ids` the device registry does not hold. */
  async unknownDevices(ids: readonly string[]): Promise<string[]> {
    const { rows } = await this.pool.query<{ device_id: string }>(
      "SELECT device_id FROM device_registry WHERE device_id = ANY($1::text[])",
      [ids],
    );
    const known = new Set(rows.map((row) => row.device_id));
    return ids.filter((id) => !known.has(id));
  }
}
