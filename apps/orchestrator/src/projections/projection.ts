import type { RecordedEvent } from "@statecast/events";
import type pg from "pg";

/**
 * A read model fed by a checkpointed processor: `handle` runs inside the processor's transaction,
 * so the model's rows and the checkpoint commit together (never one without the other).
 */
export interface Projection {
  readonly name: string;
  /** Event types it reads; others are skipped without being fetched. */
  readonly types: readonly string[];
  /**
   * Whether its rows depend on one stream each (the device registry): then it may be split by
   * stream into the orchestrator's processor partitions, each replica folding a share of streams.
   */
  readonly byStream?: boolean;
  /** Events read per transaction (default: the processor's, 500). */
  readonly batchSize?: number;
  handle(events: readonly RecordedEvent[], client: pg.ClientBase): Promise<void>;
}

export const PROJECTIONS = Symbol("PROJECTIONS");

/** The checkpoint rows a reader waits on for a projection (one per partition), given the stream. */
export const PROJECTION_CHECKPOINTS = Symbol("PROJECTION_CHECKPOINTS");
export type ProjectionCheckpoints = (projection: string, streamId?: string) => string[];
