import type { DeviceMetrics } from "@statecast/contract";
import type { DeviceMetricsView } from "@statecast/contract/http";

/** Metrics older than this many of the device's own intervals are stale. */
export const STALE_AFTER_INTERVALS = 3;

/** A device's latest metrics as `GET /v1/devices/:id` shows them: the HTTP contract's view. */
export type { DeviceMetricsView };

export const ABSENT_METRICS: DeviceMetricsView = {
  freshness: "absent",
  receivedAt: null,
  ageSeconds: null,
  staleAfterSeconds: null,
  report: null,
};

/** The view of metrics stored at `receivedAt`, seen at `now`. */
export function metricsView(report: DeviceMetrics, receivedAt: Date, now: Date): DeviceMetricsView {
  const ageSeconds = Math.max(0, Math.round((now.getTime() - receivedAt.getTime()) / 100) / 10);
  const staleAfterSeconds = STALE_AFTER_INTERVALS * report.intervalSeconds;
  return {
    freshness: ageSeconds > staleAfterSeconds ? "stale" : "fresh",
    receivedAt: receivedAt.toISOString(),
    ageSeconds,
    staleAfterSeconds,
    report,
  };
}
