import type { TransferBytes } from "@statecast/device-domain";
import type { Queryable } from "@statecast/events";

/** The fleet's download total for a rollout: the devices it targets, their last apply of it. */
export interface RolloutTransfer extends TransferBytes {
  devices: number;
}

/**
 * Sums, over the devices whose current target belongs to the rollout, the bytes of their last
 * apply of the rollout's revision (device registry `transfer.last`), from the registry's two
 * columns kept for this read (`target_rollout_id`, `last_transfer`: migration 0006).
 */
export async function rolloutTransfer(
  db: Queryable,
  rolloutId: string,
  revision: { fleet: string; number: number },
): Promise<RolloutTransfer> {
  const { rows } = await db.query<Record<keyof RolloutTransfer, string>>(
    `SELECT count(*) AS devices,
            coalesce(sum((t->>'needed')::bigint), 0) AS needed,
            coalesce(sum((t->>'fetched')::bigint), 0) AS fetched,
            coalesce(sum((t->>'delta')::bigint), 0) AS delta,
            coalesce(sum((t->>'resumed')::bigint), 0) AS resumed
       FROM (SELECT last_transfer AS t FROM device_registry
              WHERE target_rollout_id = $1) AS last
      WHERE t->'revision'->>'fleet' = $2 AND (t->'revision'->>'number')::int = $3`,
    [rolloutId, revision.fleet, revision.number],
  );
  const row = rows[0]!;
  return {
    devices: Number(row.devices),
    needed: Number(row.needed),
    fetched: Number(row.fetched),
    delta: Number(row.delta),
    resumed: Number(row.resumed),
  };
}
