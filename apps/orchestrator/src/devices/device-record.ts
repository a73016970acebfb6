import {
  type DeviceState,
  type DeviceTransfer,
  evolveDevice as evolveState,
  initialDevice,
  noTransfer,
} from "@statecast/device-domain";
import type { RecordedEvent } from "@statecast/events";

export interface RevisionRef {
  fleet: string;
  number: number;
}

export type Approval = "pending" | "approved" | "decommissioned";

/** One device as the registry shows it; rebuilt by folding its stream's events. */
export interface DeviceRecord {
  deviceId: string;
  fleet: string | null;
  tags: Record<string, string>;
  approval: Approval;
  currentRevision: RevisionRef | null;
  target: { revision: RevisionRef; digest: string; seq: number; rolloutId: string | null } | null;
  lastStatus: string | null;
  lastReason: string | null;
  online: boolean;
  lastSeenAt: string | null;
  enrolledAt: string | null;
  /** The public nkey holding live credentials (issued, not revoked), or null. */
  credentialsKey?: string | null;
  /**
   * The device's key (`U…`): the one it enrolled with, or presented after a re-key; null while a
   * re-keyed device has not said hello yet. Absent in records projected before issue 17.
   */
  publicKey?: string | null;
  /** `keyFingerprint(publicKey)`: what an operator compares before approving a key. */
  keyFingerprint?: string | null;
  /** Bytes downloaded: the last apply and the sum over all (records before issue 21 lack it). */
  transfer: DeviceTransfer;
  /** How the current revision came: by a target, or by an offline bundle (issue 14). */
  installedVia: "target" | "bundle" | null;
  /**
   * The device runs something other than its target, and no update towards the target is under
   * way (an offline install, a rollback): shown, never fought.
   */
  drifted: boolean;
  /** Stream version of the last event folded in. */
  version: number;
  updatedAt: string;
}

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

/** The registry's view of the device aggregate: no report cursor, a withdrawn target shows none. */
function recordOf(state: DeviceState): DeviceRecord {
  const { target, announcedOnline, outcome, previous, cursor, boots, ...shown } = state;
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
  const deviceId = event.streamId.slice("device:".length);
  return recordOf(evolveState(record ? stateOf(record) : initialDevice(deviceId), event));
}

/** The device as of the end of `events` (its stream, in order), or undefined if none. */
export function foldDevice(events: readonly RecordedEvent[]): DeviceRecord | undefined {
  return events.reduce<DeviceRecord | undefined>(evolveDevice, undefined);
}
