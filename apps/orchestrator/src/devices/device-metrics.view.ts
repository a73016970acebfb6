import type { DeviceMetrics } from "@statecast/contract";

/** Metrics older than this many of the device's own intervals are stale. */
export const STALE_AFTER_INTERVALS = 3;

/** A device's latest metrics as `GET /v1/devices/:id` shows them, with how old they are. */
export interface DeviceMetricsView {
  /** `fresh`: within three of the device's intervals; `stale`: older; `absent`: none kept. */
  freshness: "fresh" | "stale" | "absent";
  /** When the gateway stored them (the NATS server's clock, not the device's). */
  receivedAt: string | null;
  ageSeconds: number | null;
  staleAfterSeconds: number | null;
  report: DeviceMetrics | null;
}

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
