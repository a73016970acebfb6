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
  handle(events: readonly RecordedEvent[], client: pg.ClientBase): Promise<void>;
}

export const PROJECTIONS = Symbol("PROJECTIONS");
