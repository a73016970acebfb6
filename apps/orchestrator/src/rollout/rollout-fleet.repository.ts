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

// The newest device event in commit order (the type index answers it with one probe a type).
const NEWEST_DEVICE_EVENT = `SELECT global_position FROM events WHERE type = ANY($1)
ORDER BY transaction_id DESC, global_position DESC LIMIT 1`;

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
    await this.registryCaughtUp();
    return selectDevices(this.pool, selector);
  }

  private async registryCaughtUp(): Promise<void> {
    const { rows } = await this.pool.query<{ global_position: string }>(NEWEST_DEVICE_EVENT, [
      deviceRegistryProjection.types,
    ]);
    const newest = rows[0]?.global_position;
    if (newest !== undefined)
      await this.projections.waitFor(deviceRegistryProjection.name, BigInt(newest));
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
