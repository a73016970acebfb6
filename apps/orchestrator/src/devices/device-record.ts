import { keyFingerprint } from "@statecast/contract";
import {
  DeviceBundleEvents,
  DeviceEvents as E,
  isEvent,
  type RecordedEvent,
} from "@statecast/events";
import { type DeviceTransfer, foldTransfer, noTransfer } from "./device-transfer.js";

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

function emptyDevice(deviceId: string): DeviceRecord {
  return {
    deviceId,
    fleet: null,
    tags: {},
    approval: "pending",
    currentRevision: null,
    target: null,
    lastStatus: null,
    lastReason: null,
    online: false,
    lastSeenAt: null,
    enrolledAt: null,
    transfer: noTransfer(),
    installedVia: null,
    drifted: false,
    version: 0,
    updatedAt: new Date(0).toISOString(),
  };
}

const key = (publicKey: string | null) => ({
  publicKey,
  keyFingerprint: publicKey === null ? null : keyFingerprint(publicKey),
});

/** What one device-stream event changes (fields not returned stay as they were). */
function change(
  record: DeviceRecord,
  event: { type: string; data: unknown },
  at: string,
): Partial<DeviceRecord> {
  const seen = { online: true, lastSeenAt: at };
  if (isEvent(event, E.DeviceEnrolled)) {
    const { data } = event;
    return {
      fleet: data.fleet,
      tags: data.tags,
      approval: data.enrolledWith === "token" ? "approved" : "pending",
      enrolledAt: at,
      ...key(data.publicKey),
    };
  }
  if (isEvent(event, E.DeviceApproved)) return { approval: "approved" };
  if (isEvent(event, E.DeviceRekeyed))
    return { approval: "pending", ...key(null), credentialsKey: null };
  if (isEvent(event, E.DeviceKeyPresented)) return key(event.data.publicKey);
  if (isEvent(event, E.DeviceCredentialsIssued)) return { credentialsKey: event.data.publicKey };
  if (isEvent(event, E.DeviceCredentialsRevoked))
    return event.data.publicKey === record.credentialsKey ? { credentialsKey: null } : {};
  if (isEvent(event, E.DeviceTagsChanged)) return { tags: event.data.tags };
  if (isEvent(event, E.DeviceCameOnline)) return seen;
  if (isEvent(event, E.DeviceWentOffline))
    return { online: false, lastSeenAt: event.data.lastSeenAt };
  if (isEvent(event, E.TargetAssigned)) {
    const { revision, digest, seq, rolloutId } = event.data;
    return {
      target: { revision, digest, seq, rolloutId: rolloutId ?? null },
      lastStatus: "NEW",
      lastReason: null,
    };
  }
  if (isEvent(event, E.TargetCancelled))
    return { target: null, lastStatus: "CANCELLED", lastReason: null };
  if (isEvent(event, E.UpdateProgressReported)) {
    const { data } = event;
    return {
      ...seen,
      lastStatus: data.status,
      lastReason: data.reason ?? null,
      ...(data.downloads
        ? { transfer: foldTransfer(record.transfer ?? noTransfer(), data.revision, data.downloads) }
        : {}),
    };
  }
  if (isEvent(event, E.UpdateSucceeded)) {
    return {
      ...seen,
      installedVia: "target",
      currentRevision: event.data.revision,
      lastStatus: event.data.status,
      lastReason: null,
    };
  }
  if (isEvent(event, E.UpdateFailed))
    return { ...seen, lastStatus: "ERROR", lastReason: event.data.reason };
  if (isEvent(event, E.UpdateRejected))
    return { ...seen, lastStatus: "WONTGO", lastReason: event.data.reason };
  if (isEvent(event, E.DeviceRolledBack))
    return { ...seen, currentRevision: event.data.to, lastReason: event.data.reason };
  if (isEvent(event, DeviceBundleEvents.BundleInstallReported)) {
    const { data } = event;
    return data.status === "DONE" || data.status === "UPDATED"
      ? { ...seen, currentRevision: data.revision, installedVia: "bundle" }
      : seen;
  }
  if (isEvent(event, E.DeviceDecommissioned))
    return { approval: "decommissioned", online: false, target: null };
  return {}; // health, logs and future events do not change the registry view
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

/** Folds one event of `device:<id>` into the device's record. */
export function evolveDevice(record: DeviceRecord | undefined, event: RecordedEvent): DeviceRecord {
  const deviceId = event.streamId.slice("device:".length);
  const current = record ? currentShape(record) : emptyDevice(deviceId);
  const at = event.recordedAt.toISOString();
  const next = {
    ...current,
    ...change(current, event, at),
    version: event.streamVersion,
    updatedAt: at,
  };
  return { ...next, drifted: isDrifted(next) };
}

/** The device as of the end of `events` (its stream, in order), or undefined if none. */
export function foldDevice(events: readonly RecordedEvent[]): DeviceRecord | undefined {
  return events.reduce<DeviceRecord | undefined>(evolveDevice, undefined);
}
