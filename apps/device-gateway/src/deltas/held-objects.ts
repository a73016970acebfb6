import type { RevisionRef } from "@statecast/contract";
import {
  DeviceEvents,
  isEvent,
  type PostgresEventStore,
  type RecordedEvent,
} from "@statecast/events";

/**
 * The revision the device runs when `assigned` (its TargetAssigned) is written: the last one it
 * reported DONE/UPDATED, or the one it rolled back to, from its own stream before that event.
 */
export async function heldRevision(
  store: PostgresEventStore,
  assigned: RecordedEvent,
): Promise<RevisionRef | undefined> {
  const { events } = await store.readStream(assigned.streamId, {
    toVersion: assigned.streamVersion - 1,
  });
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (isEvent(event, DeviceEvents.UpdateSucceeded)) return event.data.revision;
    if (isEvent(event, DeviceEvents.DeviceRolledBack)) return event.data.to;
  }
  return undefined;
}
