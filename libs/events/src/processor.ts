import type pg from "pg";
import type { RecordedEvent } from "./envelope.js";
import { type LogPosition, START } from "./positions.js";
import type { PostgresEventStore } from "./postgres-event-store.js";
import { ProcessorSession } from "./processor-session.js";

export interface ProcessorOptions {
  /** Unique per processor; names its checkpoint row and its advisory lock. */
  name: string;
  batchSize?: number;
  /** Only these event types reach `handle` (the checkpoint still moves past the others). */
  types?: readonly string[];
  /**
   * Called once per batch inside the transaction that advances the checkpoint: writes made
   * through `client` commit atomically with it. Throwing rolls both back; the batch is retried.
   */
  handle(events: RecordedEvent[], client: pg.ClientBase): Promise<void>;
  /** Fallback poll when no NOTIFY arrives (default 500 ms). */
  pollIntervalMs?: number;
  /** How often a standby replica retries to become the active one (default 1 s). */
  standbyRetryMs?: number;
  /** Delay before retrying after a failure (default 1 s). */
  retryDelayMs?: number;
  /** Told about every failure (handler error, lost connection); the processor keeps going. */
  onError?: (error: Error) => void;
}

export interface RunningProcessor {
  readonly name: string;
  /** Last checkpoint committed by this instance (START until it has one). */
  readonly position: LogPosition;
  /** Whether this instance holds the lock (only one replica processes at a time). */
  readonly active: boolean;
  /** Stops after the batch in flight (if any) commits or rolls back; releases the lock. */
  stop(): Promise<void>;
}

/**
 * Runs a checkpointed processor over the global log. Several replicas may call this with the same
 * name: a session advisory lock lets exactly one work while the others stand by.
 */
export function runProcessor(
  store: PostgresEventStore,
  options: ProcessorOptions,
): RunningProcessor {
  const session = new ProcessorSession(store, { batchSize: 500, ...options }, () => {
    // Dedicated connection: it owns the session lock and the LISTEN, outside the pool. Named,
    // so an operator sees which processor holds which backend.
    return store.dedicatedClient(`sc-processor:${options.name}`);
  });
  const loop = session.run();
  return {
    name: options.name,
    get position() {
      return session.position ?? START;
    },
    get active() {
      return session.active;
    },
    stop: async () => {
      session.requestStop();
      await loop;
    },
  };
}
