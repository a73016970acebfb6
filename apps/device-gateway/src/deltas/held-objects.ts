import type { RevisionRef } from "@statecast/contract";
import type { PostgresEventStore, RecordedEvent } from "@statecast/events";

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
    if (event.type === "UpdateSucceeded") return (event.data as { revision: RevisionRef }).revision;
    if (event.type === "DeviceRolledBack") return (event.data as { to: RevisionRef }).to;
  }
  return undefined;
}
