import type { RevisionRef } from "@statecast/device-domain";
import type { PostgresEventStore, RecordedEvent } from "@statecast/events";

const SHA256 = /^[0-9a-f]{64}$/;

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

/** Object pairs where `next` replaces, at the same state path, an object `held` names. */
export function replacedObjects(
  held: Record<string, unknown>,
  next: Record<string, unknown>,
): { path: string; from: string; to: string }[] {
  const pairs: { path: string; from: string; to: string }[] = [];
  for (const [path, to] of Object.entries(next)) {
    const from = held[path];
    if (typeof to !== "string" || typeof from !== "string") continue;
    if (SHA256.test(to) && SHA256.test(from) && from !== to) pairs.push({ path, from, to });
  }
  return pairs;
}
