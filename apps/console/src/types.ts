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
};

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
