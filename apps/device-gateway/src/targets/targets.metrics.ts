import { Inject, Injectable, Optional } from "@nestjs/common";
import { Metrics } from "@statecast/platform";
import { TargetWriter } from "./target-writer.js";

/** This replica's share of target writing on `/metrics` (issue 16: targets partitioned by device). */
@Injectable()
export class TargetsMetrics {
  constructor(
    @Inject(TargetWriter) writer: TargetWriter,
    @Optional() @Inject(Metrics) metrics?: Metrics,
  ) {
    metrics?.onScrape(
      "statecast_gateway_targets_written_total",
      "Targets this gateway wrote to sc_targets (assigned, cancelled, forced, renewed).",
      "counter",
      () => [{ value: writer.written }],
    );
  }
}
