import { Inject, Injectable, Logger, Optional } from "@nestjs/common";
import type { Partition, PartitionOptions, RunningProcessor } from "@statecast/events";
import { Metrics } from "@statecast/platform";

/** The orchestrator's partition settings (SERVICE_CONFIG's `processorPartitions`). */
export const PROCESSOR_PARTITIONS = Symbol("PROCESSOR_PARTITIONS");

/**
 * This replica's share of the partitioned processors (issue 16): which partitions it holds, the
 * events it handled, the rollout decisions it made. On `/metrics`, and logged as partitions move.
 */
@Injectable()
export class ProcessorShare {
  private readonly logger = new Logger("ProcessorShare");
  private readonly processors: RunningProcessor[] = [];
  private decisions = 0;
  private routedFacts = 0;

  constructor(
    @Inject(PROCESSOR_PARTITIONS) readonly partitions: PartitionOptions,
    @Optional() @Inject(Metrics) metrics?: Metrics,
  ) {
    const each = (read: (p: RunningProcessor) => number) => () =>
      this.processors.map((p) => ({ labels: { processor: p.name }, value: read(p) }));
    metrics?.onScrape(
      "statecast_processor_partitions_held",
      "Partitions of each checkpointed processor this replica holds now.",
      "gauge",
      each((p) => p.partitions.filter((x) => x.held).length),
      ["processor"],
    );
    metrics?.onScrape(
      "statecast_processor_events_handled_total",
      "Events this replica handed to each processor's handler, in committed batches.",
      "counter",
      each((p) => p.partitions.reduce((sum, x) => sum + x.handledEvents, 0)),
      ["processor"],
    );
    metrics?.onScrape(
      "statecast_rollout_decisions_total",
      "Rollout events the process manager appended on this replica (each one a decision).",
      "counter",
      () => [{ value: this.decisions }],
    );
    metrics?.onScrape(
      "statecast_rollout_facts_total",
      "Device facts this replica's process manager routed to its rollouts.",
      "counter",
      () => [{ value: this.routedFacts }],
    );
  }

  track(processor: RunningProcessor): RunningProcessor {
    this.processors.push(processor);
    return processor;
  }

  /** For `onPartition`: a log line whenever this replica takes or lets go of a partition. */
  moved(name: string): (partition: Partition, held: boolean) => void {
    return (partition, held) =>
      this.logger.log(
        `${held ? "took" : "let go of"} partition ${partition.index}/${partition.count} of ${name}`,
      );
  }

  countRollout(outcome: { facts: number; decisions: number }): void {
    this.routedFacts += outcome.facts;
    this.decisions += outcome.decisions;
  }

  /** What this replica did so far, per processor (also for tests and the bench). */
  view() {
    return {
      replicaIndex: this.partitions.replicaIndex ?? 0,
      decisions: this.decisions,
      facts: this.routedFacts,
      processors: this.processors.map((p) => ({
        name: p.name,
        held: p.partitions.filter((x) => x.held).map((x) => x.index),
        handledEvents: p.partitions.reduce((sum, x) => sum + x.handledEvents, 0),
      })),
    };
  }
}
