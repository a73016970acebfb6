import type { KV } from "@nats-io/kv";
import { type RevisionRef, revisionKey } from "@statecast/contract";
import { DeviceEvents, isEvent, type RecordedEvent, streamKeyOf } from "@statecast/events";

/** The gateway's KV bucket of what each device runs (key: device id), for deltas only. */
export const HELD_BUCKET = "sc_gateway_held";

/**
 * What each device runs, kept from its events as they come (the last revision it reported
 * DONE/UPDATED, or the one it rolled back to), and the digests of posted revisions (the
 * orchestrator's `sc_revisions`): what deltas are made from, without reading the event store.
 */
export class HeldRevisions {
  constructor(
    private readonly held: KV,
    private readonly revisions: KV,
  ) {}

  /** Records what `event` says the device now runs; false for any other event. */
  async observe(event: RecordedEvent): Promise<boolean> {
    let revision: RevisionRef;
    if (isEvent(event, DeviceEvents.UpdateSucceeded)) revision = event.data.revision;
    else if (isEvent(event, DeviceEvents.DeviceRolledBack)) revision = event.data.to;
    else return false;
    await this.held.put(streamKeyOf(event.streamId), JSON.stringify(revision));
    return true;
  }

  /** The state digest of the revision the device runs, when known. */
  async heldDigest(deviceId: string): Promise<string | undefined> {
    const entry = await this.held.get(deviceId);
    if (entry?.operation !== "PUT" || entry.length === 0) return undefined;
    const revision = entry.json<RevisionRef>();
    const posted = await this.revisions.get(revisionKey(revision.fleet, revision.number));
    if (posted?.operation !== "PUT" || posted.length === 0) return undefined;
    return posted.json<{ digest: string }>().digest;
  }
}
