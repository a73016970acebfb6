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
      "statecast_gateway_reports_held_for_gap_total",
      "Device reports that came ahead of earlier reports of their boot (a gateway died with those in flight; JetStream redelivers them after the ack wait): held unacked until the earlier ones were applied.",
      "counter",
      () => [{ value: ingestor.heldForGap }],
    );
    metrics?.onScrape(
      "statecast_gateway_report_seqs_skipped_total",
      "Report seqs given up on: a later report of their boot was held for them past the consumer's ack wait and a margin, then applied without them (each logged with device, boot and seqs).",
      "counter",
      () => [{ value: ingestor.seqsSkipped }],
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
