import type { Span } from "@opentelemetry/api";
import type { HeldReport } from "./report-gap-hold.js";

/** A report the ingestor holds in memory, unacked, until its fate is decided and settled. */
export interface Queued extends HeldReport {
  /** When it was pulled (ms): its ack wait runs from then until reset (`touchedAt`). */
  pulledAt: number;
  /** Ingestion of a report that carries its apply's trace context, until acked. */
  span?: Span;
  /** Commits tried so far (absent: none failed yet). */
  attempts?: number;
  /** Held back at least once by its device's rate (counted once). */
  limited?: boolean;
  /** Let through by its device's rate already (a report held for a gap takes no token again). */
  granted?: boolean;
}

/** Merges two queues of a device, each in stream order, into one in stream order. */
export function inStreamOrder(a: Queued[], b: Queued[]): Queued[] {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return [...a, ...b].sort((x, y) => x.msg.seq - y.msg.seq);
}
