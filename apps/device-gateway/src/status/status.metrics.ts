import { Inject, Injectable, Optional } from "@nestjs/common";
import { Metrics } from "@statecast/platform";
import { DropCounter } from "./drop-counter.js";
import { StatusIngestor } from "./status-ingestor.js";

/** Exposes the ingestion counters on `/metrics` when the app imports `MetricsModule`. */
@Injectable()
export class StatusMetrics {
  constructor(
    @Inject(StatusIngestor) ingestor: StatusIngestor,
    @Inject(DropCounter) drops: DropCounter,
    @Optional() @Inject(Metrics) metrics?: Metrics,
  ) {
    metrics?.onScrape(
      "statecast_gateway_reports_ingested_total",
      "Device reports committed as events by this gateway.",
      "counter",
      () => [{ value: ingestor.applied }],
    );
    metrics?.onScrape(
      "statecast_gateway_status_pull_resumed_total",
      "Times the pull of the status consumer ended on its own (terminal JetStream error, consumer deleted, connection closed) and was started again; unacked reports are redelivered.",
      "counter",
      () => [{ value: ingestor.resumed }],
    );
    metrics?.onScrape(
      "statecast_gateway_reports_rate_limited_total",
      "Device reports over their device's rate (STATECAST_DEVICE_REPORT_RATE): held back or handed back to JetStream and applied later, in order; none is lost.",
      "counter",
      () => [{ value: ingestor.rateLimited }],
    );
    metrics?.onScrape(
      "statecast_gateway_reports_dropped_total",
      "Device reports acked without an event, by reason (malformed, spoofed, duplicate, stale, …).",
      "counter",
      () =>
        Object.entries(drops.snapshot()).map(([reason, value]) => ({ labels: { reason }, value })),
      ["reason"],
    );
  }
}
