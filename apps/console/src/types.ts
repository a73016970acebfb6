import type {
  DeviceMetricsView,
  DeviceView,
  DeviceWhyView,
  RevisionRefView,
  RolloutProgressView,
  RolloutSummaryView,
  WaveProgressView,
} from "@statecast/contract/http";
import { formatRevision } from "@statecast/contract/http";

/** Shapes of the /v1 responses the console reads: the HTTP contract's answer types. */

export type RevisionRef = RevisionRefView;
export type Gate = WaveProgressView["gate"];
export type Wave = WaveProgressView;
export type FailureGroup = RolloutProgressView["failures"][number];
export type Rollout = RolloutProgressView;
export type OverLongLock = NonNullable<RolloutProgressView["overLongLocks"]>[number];
/** `GET /v1/rollouts/:id/devices/:deviceId/why`: why a device is not on the revision yet. */
export type DeviceWhy = DeviceWhyView;

/** Reasons a device waits by design (schedule, window, lock, consent): not a failure. */
export const WAITING_REASONS = new Set([
  "scheduled",
  "waiting_for_window",
  "held_by_lock",
  "waiting_for_consent",
]);

export type RolloutSummary = RolloutSummaryView;
export type Device = DeviceView;
export type DeviceMetrics = DeviceMetricsView;

export type EventView = {
  globalPosition: string;
  streamId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: { actor?: string; correlationId?: string };
  recordedAt: string;
};

export const revisionName = (r: RevisionRef | null | undefined) => (r ? formatRevision(r) : "—");
