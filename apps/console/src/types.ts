/** Shapes of the /v1 responses the console reads (see the OpenAPI document at /docs). */

export type RevisionRef = { fleet: string; number: number };

export type Gate = {
  state: "not_started" | "open" | "passed" | "failed";
  verdictNow: "pending" | "passed" | "failed";
  succeeded: number;
  required: number;
  finished: number;
  failures: number;
  lateFailures: number;
  minSample: number;
  maxFailures: { percent?: number; count?: number };
  allowedFailures: number;
  failurePercent: number | null;
};

export type Wave = {
  index: number;
  status: "pending" | "running" | "passed" | "failed";
  size: number;
  counts: Record<string, number>;
  gate: Gate;
  startedAt: string | null;
  closedAt: string | null;
  /** A wave the schedule holds back starts then (the rollout's `startAt` or the wave's `notBefore`). */
  deferredUntil?: string | null;
  soak: { soakSeconds: number; soakingDevices: number; remainingSeconds: number };
};

export type FailureGroup = {
  stage: string;
  reason: string;
  outcome: "failed" | "rejected";
  count: number;
  devices: string[];
};

export type Rollout = {
  rolloutId: string;
  status: string;
  revision: RevisionRef;
  currentWave: number | null;
  devices: number;
  waves: Wave[];
  etaSeconds: number | null;
  failures: FailureGroup[];
  createdAt: string;
  rollbackOf: string | null;
  /** A consenting fleet's devices by their app's last answer. */
  consent?: { asked: number; accept: number; later: number; skip: number };
  /** Devices held by an update lock longer than the fleet's lock limit. */
  overLongLocks?: OverLongLock[];
};

export type OverLongLock = { deviceId: string; detail: string; heldSince: string; seconds: number };

/** `GET /v1/rollouts/:id/devices/:deviceId/why`: why a device is not on the revision yet. */
export type DeviceWhy = {
  deviceId: string;
  reason: string;
  status: string;
  waveIndex: number;
  online: boolean;
  since: string;
  /** What holds the device, in words (the schedule, a maintenance window, an update lock). */
  detail?: string;
  /** When the wait ends (the wave's start, the window's opening, the next consent question). */
  until?: string;
  /** When the update lock holding the device was taken. */
  heldSince?: string;
};

/** Reasons a device waits by design (schedule, window, lock, consent): not a failure. */
export const WAITING_REASONS = new Set([
  "scheduled",
  "waiting_for_window",
  "held_by_lock",
  "waiting_for_consent",
]);

export type RolloutSummary = {
  rolloutId: string;
  status: string;
  revision: RevisionRef;
  rollbackOf: string | null;
  createdAt: string;
  updatedAt: string;
};

export type Device = {
  deviceId: string;
  fleet: string | null;
  tags: Record<string, string>;
  approval: string;
  currentRevision: RevisionRef | null;
  target: { revision: RevisionRef; digest: string; seq: number; rolloutId: string | null } | null;
  lastStatus: string | null;
  lastReason: string | null;
  online: boolean;
  lastSeenAt: string | null;
  /** The live view only (not `?at=`): the device's latest metrics and their age. */
  metrics?: DeviceMetrics;
  updatedAt: string;
};

export type DeviceMetrics = {
  freshness: "fresh" | "stale" | "absent";
  ageSeconds: number | null;
  report: {
    runtime: "lxc" | "sim";
    uptimeSeconds: number;
    cpu: { percent: number; cores: number };
    memory: { totalBytes: number; availableBytes: number };
    disk: { totalBytes: number; freeBytes: number };
    containers: { part: string; state: string; restarts: number }[];
  } | null;
};

export type EventView = {
  globalPosition: string;
  streamId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: { actor?: string; correlationId?: string };
  recordedAt: string;
};

export const revisionName = (r: RevisionRef | null | undefined) =>
  r ? `${r.fleet}#${r.number}` : "—";
