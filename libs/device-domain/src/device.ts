import { keyFingerprint, type RevisionRef, sameRevision } from "@statecast/contract";
import {
  DeviceBundleEvents,
  DeviceHealthEvents,
  DeviceEvents as E,
  isEvent,
  type RecordedEvent,
} from "@statecast/events";
import { type DeviceTransfer, foldTransfer, noTransfer } from "./device-transfer.js";

// THE device aggregate's state and its one evolve: the registry (apps/orchestrator/src/devices),
// the device plane (the gateway's report deciders), enrollment (the gateway's hello), revocation
// (the orchestrator) and object access (the gateway) each read what they need from it
// (device-credentials.ts reads the keys).

export type Approval = "pending" | "approved" | "decommissioned";

/** The last report applied to the device stream: reports at or below it change nothing. */
export interface ReportCursor {
  bootId: string;
  seq: number;
}

/** The final outcome recorded for the current target. */
export type Outcome = "DONE" | "UPDATED" | "WONTGO" | "ERROR" | "ROLLED_BACK";

/** The last target assigned; `cancelled` once withdrawn (TargetCancelled, decommissioning). */
export interface AssignedTarget {
  revision: RevisionRef;
  digest: string;
  seq: number;
  rolloutId: string | null;
  cancelled: boolean;
}

/** A revision the device was targeted with, and the state digest the target named. */
export interface TargetedRevision {
  revision: RevisionRef;
  digest: string;
}

/** One device, folded from its stream `device:<id>`. */
export interface DeviceState {
  deviceId: string;
  fleet: string | null;
  tags: Record<string, string>;
  approval: Approval;
  enrolledAt: string | null;
  /** The device's key (`U…`); null while a re-keyed device has not said hello yet. */
  publicKey: string | null;
  keyFingerprint: string | null;
  /**
   * THE key holding live credentials: the one `DeviceCredentialsIssued` last named, until that key
   * is revoked (`DeviceCredentialsRevoked`) or the device is re-keyed; else null.
   */
  credentialsKey: string | null;
  /** Keys that no longer act for the device: revoked, or retired by a re-key (oldest first). */
  revokedKeys: string[];
  /** Keys whose agent watches through its one fixed consumer (`DeviceTargetWatchBounded`). */
  watchBoundedKeys: string[];
  /** As the registry shows it: the last presence event, or any report since. */
  online: boolean;
  /** As presence is decided: the last presence event was DeviceCameOnline. */
  announcedOnline: boolean;
  lastSeenAt: string | null;
  target: AssignedTarget | null;
  /** Every revision it was ever targeted with (distinct): the objects it may read (object access). */
  targeted: TargetedRevision[];
  lastStatus: string | null;
  lastReason: string | null;
  outcome: Outcome | null;
  /** The revision the device last reported running healthy, and the one before it. */
  currentRevision: RevisionRef | null;
  previous: RevisionRef | null;
  cursor: ReportCursor | null;
  /** Boot ids seen, oldest first (bounded): a report from an older boot is stale. */
  boots: string[];
  transfer: DeviceTransfer;
  /** How the current revision came: by a target, or by an offline bundle (issue 14). */
  installedVia: "target" | "bundle" | null;
  /** Stream version of the last event folded in, and when it was recorded. */
  version: number;
  updatedAt: string;
}

export const MAX_REMEMBERED_BOOTS = 32;

export function initialDevice(deviceId = ""): DeviceState {
  return {
    deviceId,
    fleet: null,
    tags: {},
    approval: "pending",
    enrolledAt: null,
    publicKey: null,
    keyFingerprint: null,
    credentialsKey: null,
    revokedKeys: [],
    watchBoundedKeys: [],
    online: false,
    announcedOnline: false,
    lastSeenAt: null,
    target: null,
    targeted: [],
    lastStatus: null,
    lastReason: null,
    outcome: null,
    currentRevision: null,
    previous: null,
    cursor: null,
    boots: [],
    transfer: noTransfer(),
    installedVia: null,
    version: 0,
    updatedAt: new Date(0).toISOString(),
  };
}

export const isEnrolled = (device: DeviceState) => device.enrolledAt !== null;
export const isDecommissioned = (device: DeviceState) => device.approval === "decommissioned";

/** An event of the device stream; decided events not yet recorded have no time or version. */
export type DeviceStreamEvent = Pick<RecordedEvent, "type" | "data"> &
  Partial<Pick<RecordedEvent, "recordedAt" | "streamVersion">>;

/** evolve(state, event) → state, pure. Events it does not know leave the state as it is. */
export function evolveDevice(device: DeviceState, event: DeviceStreamEvent): DeviceState {
  const at = event.recordedAt?.toISOString() ?? device.updatedAt;
  // The same as `{...device, ...change(…), version, updatedAt}`: a lone spread is V8's fast
  // object clone, and the changed fields are stored into it (the ingestion folds every report).
  const next = { ...device };
  Object.assign(next, change(device, event, at));
  next.version = event.streamVersion ?? device.version;
  next.updatedAt = at;
  return next;
}

/** The device as of the end of `events` (its stream, in order). */
export function foldDevice(deviceId: string, events: readonly DeviceStreamEvent[]): DeviceState {
  return events.reduce(evolveDevice, initialDevice(deviceId));
}

const key = (publicKey: string | null) => ({
  publicKey,
  keyFingerprint: publicKey === null ? null : keyFingerprint(publicKey),
});

/** What one event changes (fields not returned stay as they were). */
function change(device: DeviceState, event: DeviceStreamEvent, at: string): Partial<DeviceState> {
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
  if (isEvent(event, E.DeviceRekeyed)) {
    // The old key no longer acts for the device, whether or not it ever held credentials.
    const revokedKeys = withKey(device.revokedKeys, event.data.previousKey);
    return { approval: "pending", ...key(null), credentialsKey: null, revokedKeys };
  }
  if (isEvent(event, E.DeviceKeyPresented)) return key(event.data.publicKey);
  if (isEvent(event, E.DeviceCredentialsIssued)) return { credentialsKey: event.data.publicKey };
  if (isEvent(event, E.DeviceCredentialsRevoked)) {
    const revoked = event.data.publicKey;
    const credentialsKey = revoked === device.credentialsKey ? null : device.credentialsKey;
    return { credentialsKey, revokedKeys: withKey(device.revokedKeys, revoked) };
  }
  if (isEvent(event, E.DeviceTargetWatchBounded))
    return { watchBoundedKeys: withKey(device.watchBoundedKeys, event.data.publicKey) };
  if (isEvent(event, E.DeviceTagsChanged)) return { tags: event.data.tags };
  if (isEvent(event, E.DeviceCameOnline)) return { ...seen, announcedOnline: true };
  if (isEvent(event, E.DeviceWentOffline))
    return { online: false, announcedOnline: false, lastSeenAt: event.data.lastSeenAt };
  if (isEvent(event, E.TargetAssigned)) {
    const { revision, digest, seq, rolloutId } = event.data;
    return {
      target: { revision, digest, seq, rolloutId: rolloutId ?? null, cancelled: false },
      targeted: withTargeted(device.targeted, { revision, digest }),
      outcome: null,
      lastStatus: "NEW",
      lastReason: null,
    };
  }
  if (isEvent(event, E.TargetCancelled))
    return { target: withdrawn(device.target), lastStatus: "CANCELLED", lastReason: null };
  // The two events of nearly every report are written out field by field: an object literal
  // that spreads and then adds fields costs ~1-2 µs in V8 (a fresh hidden class each time), tens
  // of times the plain literal, and the ingestion folds every report.
  if (isEvent(event, E.UpdateProgressReported)) {
    const { data } = event;
    const changed: Partial<DeviceState> = {
      online: true,
      lastSeenAt: at,
      cursor: { bootId: data.bootId, seq: data.seq },
      boots: withBoot(device.boots, data.bootId),
      lastStatus: data.status,
      lastReason: data.reason ?? null,
    };
    if (data.downloads)
      changed.transfer = foldTransfer(device.transfer, data.revision, data.downloads);
    return changed;
  }
  if (isEvent(event, E.UpdateSucceeded)) {
    const { revision, status, report } = event.data;
    const running = device.currentRevision;
    const moved = running !== null && !sameRevision(running, revision);
    const changed: Partial<DeviceState> = {
      online: true,
      lastSeenAt: at,
      currentRevision: revision,
      previous: moved ? running : device.previous,
      outcome: status,
      installedVia: "target",
      lastStatus: status,
      lastReason: null,
    };
    if (report) {
      changed.cursor = { bootId: report.bootId, seq: report.seq };
      changed.boots = withBoot(device.boots, report.bootId);
    }
    return changed;
  }
  if (isEvent(event, E.UpdateFailed)) {
    const { reason, report } = event.data;
    return {
      ...seen,
      ...advance(device, report),
      outcome: "ERROR",
      lastStatus: "ERROR",
      lastReason: reason,
    };
  }
  if (isEvent(event, E.UpdateRejected)) {
    const { reason, report } = event.data;
    return {
      ...seen,
      ...advance(device, report),
      outcome: "WONTGO",
      lastStatus: "WONTGO",
      lastReason: reason,
    };
  }
  if (isEvent(event, E.DeviceRolledBack)) {
    const { to, reason, report } = event.data;
    return {
      ...seen,
      ...advance(device, report),
      outcome: "ROLLED_BACK",
      currentRevision: to,
      lastReason: reason,
    };
  }
  if (isEvent(event, DeviceHealthEvents.DeviceHealthReported))
    return advance(device, event.data.report);
  if (isEvent(event, DeviceBundleEvents.BundleInstallReported)) {
    const { revision, status, report } = event.data;
    const installed = status === "DONE" || status === "UPDATED";
    return {
      ...seen,
      ...advance(device, report),
      ...(installed ? { ...runs(device, revision), installedVia: "bundle" as const } : {}),
    };
  }
  if (isEvent(event, E.DeviceDecommissioned))
    return { approval: "decommissioned", online: false, target: withdrawn(device.target) };
  return {}; // logs, metrics and future events do not change the device
}

const withKey = (keys: string[], key: string) => (keys.includes(key) ? keys : [...keys, key]);

function withTargeted(targeted: TargetedRevision[], next: TargetedRevision): TargetedRevision[] {
  const known = targeted.some(
    (t) => t.digest === next.digest && sameRevision(t.revision, next.revision),
  );
  return known ? targeted : [...targeted, next];
}

const withdrawn = (target: AssignedTarget | null) => target && { ...target, cancelled: true };

/** Now running `revision`: the one it ran before becomes `previous` when it moved. */
function runs(device: DeviceState, revision: RevisionRef): Partial<DeviceState> {
  const running = device.currentRevision;
  const moved = running !== null && !sameRevision(running, revision);
  return { currentRevision: revision, previous: moved ? running : device.previous };
}

/** The report's cursor, and its boot remembered (the last MAX_REMEMBERED_BOOTS). */
function advance(device: DeviceState, cursor: ReportCursor | undefined): Partial<DeviceState> {
  if (!cursor) return {};
  return {
    cursor: { bootId: cursor.bootId, seq: cursor.seq },
    boots: withBoot(device.boots, cursor.bootId),
  };
}

const withBoot = (boots: string[], bootId: string): string[] =>
  boots.includes(bootId) ? boots : [...boots, bootId].slice(-MAX_REMEMBERED_BOOTS);
