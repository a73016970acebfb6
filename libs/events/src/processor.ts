import type pg from "pg";
import type { RecordedEvent } from "./envelope.js";
import {
  aPartition,
  type Partition,
  type PartitionOptions,
  partitionName,
  prefers,
  validatePartitions,
} from "./partitions.js";
import { type LogPosition, START } from "./positions.js";
import type { PostgresEventStore } from "./postgres-event-store.js";
import { ProcessorSession } from "./processor-session.js";

export interface ProcessorOptions<Outcome = unknown> {
  /** Unique per processor; names its checkpoint row and its advisory lock. */
  name: string;
  batchSize?: number;
  /** Only these event types reach `handle` (the checkpoint still moves past the others). */
  types?: readonly string[];
  /**
   * Called once per batch inside the transaction that advances the checkpoint: writes made
   * through `client` commit atomically with it. Throwing rolls both back; the batch is retried.
   * Partitioned, it is called per partition with that partition's events (see `routing`).
   */
  handle(events: RecordedEvent[], client: pg.ClientBase, partition: Partition): Promise<Outcome>;
  /** Told after a batch committed, with what `handle` returned (counts for metrics, say). */
  onCommitted?(outcome: Outcome, events: readonly RecordedEvent[], partition: Partition): void;
  /**
   * Split the log between replicas: each partition has its own checkpoint row and lock, so each
   * replica takes a share (see PartitionOptions). Default: one partition, today's name.
   */
  partitions?: PartitionOptions;
  /**
   * "stream" (default): a partition's `handle` gets only the events whose stream id hashes to it,
   * so each stream is handled by one partition, in order. "handler": it gets every event and
   * routes by its own key with `partition.owns(key)` (the rollout process manager, by rollout).
   */
  routing?: "stream" | "handler";
  /** Told when this replica takes (true) or lets go of (false) a partition. */
  onPartition?: (partition: Partition, held: boolean) => void;
  /** Fallback poll when no NOTIFY arrives (default 500 ms). */
  pollIntervalMs?: number;
  /** How often a standby replica retries to become the active one (default 1 s). */
  standbyRetryMs?: number;
  /** Delay before retrying after a failure (default 1 s). */
  retryDelayMs?: number;
  /** Told about every failure (handler error, lost connection); the processor keeps going. */
  onError?: (error: Error) => void;
}

/** One partition as this replica runs it. */
export interface PartitionView {
  readonly index: number;
  /** Its checkpoint row and lock name. */
  readonly name: string;
  readonly held: boolean;
  /** Events this replica handed to `handle` for it, in committed batches. */
  readonly handledEvents: number;
}

export interface RunningProcessor {
  readonly name: string;
  /** Lowest checkpoint committed by this instance over its partitions (START until it has one). */
  readonly position: LogPosition;
  /** Whether this instance holds the lock of at least one partition. */
  readonly active: boolean;
  /** Each partition: held by this replica or not, and what it handled here. */
  readonly partitions: readonly PartitionView[];
  /** Stops after the batches in flight (if any) commit or roll back; releases the locks. */
  stop(): Promise<void>;
}

/**
 * Runs a checkpointed processor over the global log. Several replicas may call this with the same
 * name: unpartitioned, a session advisory lock lets exactly one work while the others stand by;
 * partitioned, each partition is such a processor of its own and the replicas share them.
 */
export function runProcessor<Outcome>(
  store: PostgresEventStore,
  options: ProcessorOptions<Outcome>,
): RunningProcessor {
  const split = options.partitions ?? { count: 1 };
  validatePartitions(split);
  const sessions = Array.from({ length: split.count }, (_, index) => {
    const slot = {
      name: partitionName(options.name, index, split.count),
      partition: aPartition(index, split.count),
      preferred: split.count === 1 || prefers(split, index),
      takeoverAfterMs: split.takeoverAfterMs ?? 3000,
    };
    // Dedicated connection: it owns the session locks and the LISTEN, outside the pool. Named,
    // so an operator sees which processor holds which backend.
    return new ProcessorSession(store, { batchSize: 500, ...options }, slot, () =>
      store.dedicatedClient(`sc-processor:${slot.name}`),
    );
  });
  const loops = sessions.map((session) => session.run());
  return {
    name: options.name,
    get position() {
      // Over the partitions held now (a partition handed back keeps an old position).
      const held = sessions.some((s) => s.active) ? sessions.filter((s) => s.active) : sessions;
      const known = held.flatMap((s) => (s.position ? [s.position] : []));
      return (
        known.reduce<LogPosition | undefined>(
          (low, p) => (low === undefined || before(p, low) ? p : low),
          undefined,
        ) ?? START
      );
    },
    get active() {
      return sessions.some((session) => session.active);
    },
    get partitions() {
      return sessions.map((s) => ({
        index: s.slot.partition.index,
        name: s.slot.name,
        held: s.active,
        handledEvents: s.handledEvents,
      }));
    },
    stop: async () => {
      for (const session of sessions) session.requestStop();
      await Promise.all(loops);
    },
  };
}

function before(a: LogPosition, b: LogPosition): boolean {
  return (
    a.transactionId < b.transactionId ||
    (a.transactionId === b.transactionId && a.globalPosition < b.globalPosition)
  );
}
