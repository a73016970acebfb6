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
  /** Stream version of the last event folded in. */
  version: number;
  updatedAt: string;
}

type Data = Record<string, unknown>;

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
    version: 0,
    updatedAt: new Date(0).toISOString(),
  };
}

const ref = (value: unknown) => value as RevisionRef;
const str = (value: unknown) => (typeof value === "string" ? value : null);

/** What one device-stream event changes (fields not returned stay as they were). */
function change(record: DeviceRecord, type: string, data: Data, at: string): Partial<DeviceRecord> {
  const seen = { online: true, lastSeenAt: at };
  switch (type) {
    case "DeviceEnrolled":
      return {
        fleet: str(data.fleet),
        tags: (data.tags as Record<string, string> | undefined) ?? {},
        approval: data.enrolledWith === "token" ? "approved" : "pending",
        enrolledAt: at,
      };
    case "DeviceApproved":
      return { approval: "approved" };
    case "DeviceCredentialsIssued":
      return { credentialsKey: str(data.publicKey) };
    case "DeviceCredentialsRevoked":
      return str(data.publicKey) === record.credentialsKey ? { credentialsKey: null } : {};
    case "DeviceTagsChanged":
      return { tags: data.tags as Record<string, string> };
    case "DeviceCameOnline":
      return seen;
    case "DeviceWentOffline":
      return { online: false, lastSeenAt: str(data.lastSeenAt) ?? record.lastSeenAt };
    case "TargetAssigned":
      return {
        target: {
          revision: ref(data.revision),
          digest: String(data.digest),
          seq: Number(data.seq),
          rolloutId: str(data.rolloutId),
        },
        lastStatus: "NEW",
        lastReason: null,
      };
    case "TargetCancelled":
      return { target: null, lastStatus: "CANCELLED", lastReason: null };
    case "UpdateProgressReported":
      return { ...seen, lastStatus: String(data.status), lastReason: str(data.reason) };
    case "UpdateSucceeded":
      return {
        ...seen,
        currentRevision: ref(data.revision),
        lastStatus: String(data.status),
        lastReason: null,
      };
    case "UpdateFailed":
      return { ...seen, lastStatus: "ERROR", lastReason: str(data.reason) };
    case "UpdateRejected":
      return { ...seen, lastStatus: "WONTGO", lastReason: str(data.reason) };
    case "DeviceRolledBack":
      return { ...seen, currentRevision: ref(data.to), lastReason: str(data.reason) };
    case "DeviceDecommissioned":
      return { approval: "decommissioned", online: false, target: null };
    default:
      return {}; // credentials and future events do not change the registry view
  }
}

/** Folds one event of `device:<id>` into the device's record. */
export function evolveDevice(record: DeviceRecord | undefined, event: RecordedEvent): DeviceRecord {
  const deviceId = event.streamId.slice("device:".length);
  const current = record ?? emptyDevice(deviceId);
  const at = event.recordedAt.toISOString();
  const data = (event.data ?? {}) as Data;
  return {
    ...current,
    ...change(current, event.type, data, at),
    version: event.streamVersion,
    updatedAt: at,
  };
}

/** The device as of the end of `events` (its stream, in order), or undefined if none. */
export function foldDevice(events: readonly RecordedEvent[]): DeviceRecord | undefined {
  return events.reduce<DeviceRecord | undefined>(evolveDevice, undefined);
}
