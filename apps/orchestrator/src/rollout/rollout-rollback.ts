import type { EventMetadata } from "@statecast/events";
import type pg from "pg";
import type { StartRollbackRollout } from "./domain/index.js";
import { activeClaims, revisionDigest, selectDevices } from "./rollout-fleet.js";
import type { RolloutWriter } from "./rollout-writer.js";

/**
 * `StartRollbackRollout`: create and start the rollout back to the previous revision, in the same
 * transaction as the rollback decision (so a rolled-back rollout never lacks its successor).
 */
export async function startRollbackRollout(
  writer: RolloutWriter,
  client: pg.ClientBase,
  command: StartRollbackRollout,
  metadata: EventMetadata,
): Promise<void> {
  const { rolloutId, rollbackOf, definition, actor } = command;
  const reason = command.reason === undefined ? {} : { reason: command.reason };
  const devices = await selectDevices(client, definition.selector);
  const revisionExists = (await revisionDigest(client, definition.revision)) !== undefined;
  const now = metadata.now;
  await writer.apply(
    client,
    rolloutId,
    [
      {
        type: "CreateRollout",
        rolloutId,
        rollbackOf,
        definition,
        context: {
          selectedDevices: devices.map((d) => ({ deviceId: d.deviceId, fleet: d.fleet ?? "" })),
          revisionExists,
        },
        actor,
        now,
        ...reason,
      },
    ],
    metadata,
  );
  await writer.apply(
    client,
    rolloutId,
    [
      {
        type: "StartRollout",
        devices: devices.map(({ deviceId, currentRevision, online }) => ({
          deviceId,
          currentRevision,
          online,
        })),
        activeRollouts: await activeClaims(client),
        actor,
        now,
        ...reason,
      },
    ],
    metadata,
  );
}
