import type { DeviceView } from "@statecast/contract/http";
import {
  type DeviceState,
  evolveDevice as evolveState,
  initialDevice,
  noTransfer,
} from "@statecast/device-domain";
import { type RecordedEvent, streamKeyOf } from "@statecast/events";

/**
 * One device as the registry stores and shows it: the HTTP contract's device view (without the
 * live metrics), rebuilt by folding its stream through the device aggregate. Records stored by
 * earlier releases lack the keys (issue 17), `transfer` (21), `installedVia` and `drifted` (14):
 * `currentShape` makes them current.
 */
export type DeviceRecord = Omit<DeviceView, "metrics"> & {
  /** The public nkey holding live credentials (issued, not revoked), or null. */
  credentialsKey?: string | null;
};

const UNDER_WAY = new Set(["NEW", "QUEUED", "DOWNLOADING", "INPROGRESS", "TESTING"]);

/** Runs another revision than its target, with no update towards the target under way. */
function isDrifted(record: DeviceRecord): boolean {
  const { target, currentRevision: running } = record;
  if (!target || !running) return false;
  if (target.revision.fleet === running.fleet && target.revision.number === running.number)
    return false;
  return record.installedVia === "bundle" || !UNDER_WAY.has(record.lastStatus ?? "NEW");
}

/**
 * A record as stored by an earlier release (no `transfer`, `installedVia` or `drifted`), made
 * current.
 */
export function currentShape(record: DeviceRecord): DeviceRecord {
  const installedVia = record.installedVia ?? (record.currentRevision ? "target" : null);
  const upgraded = { ...record, transfer: record.transfer ?? noTransfer(), installedVia };
  return { ...upgraded, drifted: record.drifted ?? isDrifted(upgraded) };
}

/**
 * The registry's view of the device aggregate: no report cursor, no retired or watch-bounded keys
 * nor past targets (enrollment and object access fold the stream for those), a withdrawn target
 * shows none.
 */
function recordOf(state: DeviceState): DeviceRecord {
  const { target, announcedOnline, outcome, previous, cursor, boots, ...kept } = state;
  const { revokedKeys, watchBoundedKeys, targeted, ...shown } = kept;
  const record: DeviceRecord = {
    ...shown,
    target: target && !target.cancelled ? withoutFlag(target) : null,
    drifted: false,
  };
  return { ...record, drifted: isDrifted(record) };
}

const withoutFlag = ({ cancelled, ...target }: NonNullable<DeviceState["target"]>) => target;

/** A stored record (of any release) as the aggregate's state; what the registry does not keep starts empty. */
function stateOf(stored: DeviceRecord): DeviceState {
  const { drifted, ...record } = currentShape(stored);
  return {
    ...initialDevice(record.deviceId),
    ...record,
    publicKey: record.publicKey ?? null,
    keyFingerprint: record.keyFingerprint ?? null,
    credentialsKey: record.credentialsKey ?? null,
    announcedOnline: record.online,
    target: record.target && { ...record.target, cancelled: false },
  };
}

/** Folds one event of `device:<id>` into the device's record, through the one device evolve. */
export function evolveDevice(record: DeviceRecord | undefined, event: RecordedEvent): DeviceRecord {
  const deviceId = streamKeyOf(event.streamId);
  return recordOf(evolveState(record ? stateOf(record) : initialDevice(deviceId), event));
}

/** The device as of the end of `events` (its stream, in order), or undefined if none. */
export function foldDevice(events: readonly RecordedEvent[]): DeviceRecord | undefined {
  return events.reduce<DeviceRecord | undefined>(evolveDevice, undefined);
}
