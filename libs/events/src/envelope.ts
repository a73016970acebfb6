/**
 * Who caused an event: `operator:<name>`, `device:<id>` or `system:<processor>`.
 * Kept as a template-literal type so a typo in the prefix is a compile error.
 */
export type Actor = `operator:${string}` | `device:${string}` | `system:${string}`;

/** Carried by every event; time arrives here, deciders never read the clock. */
export interface EventMetadata {
  correlationId: string;
  causationId: string;
  actor: Actor;
  /** W3C trace context of the request that produced the event. */
  traceparent?: string;
  /** ISO-8601 instant at which the command was accepted. */
  now: string;
}

/** An event about to be appended. `eventId` defaults to a random UUID. */
export interface NewEvent<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
  metadata: EventMetadata;
  eventId?: string;
}

/** An event as committed in the store. */
export interface RecordedEvent<TType extends string = string, TData = unknown> {
  globalPosition: bigint;
  streamId: string;
  streamVersion: number;
  eventId: string;
  type: TType;
  schemaVersion: number;
  data: TData;
  metadata: EventMetadata;
  recordedAt: Date;
  transactionId: bigint;
}
