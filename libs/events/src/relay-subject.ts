import type { RecordedEvent } from "./envelope.js";
import { streamKeyOf, streamTypeOf } from "./stream-id.js";

export const EVENTS_STREAM = "SC_EVENTS";
export const EVENTS_SUBJECTS = "sc.evt.>";

// Characters that would split a token or act as wildcards, plus '%' (our escape) and anything
// outside printable ASCII. Percent-encoding them keeps ids reversible and collision-free.
const UNSAFE_IN_TOKEN = /[.*>%\s]|[^\x21-\x7e]/gu;

/** Makes any string a single, non-wildcard NATS subject token. */
export function subjectToken(value: string): string {
  if (value.length === 0) return "%00";
  return value.replace(UNSAFE_IN_TOKEN, (c) =>
    [...Buffer.from(c, "utf8")]
      .map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`)
      .join(""),
  );
}

/** `sc.evt.<streamType>.<streamKey>.<EventType>`, each token made safe. */
export function eventSubject(event: Pick<RecordedEvent, "streamId" | "type">): string {
  const type = subjectToken(streamTypeOf(event.streamId));
  const key = subjectToken(streamKeyOf(event.streamId));
  return `sc.evt.${type}.${key}.${subjectToken(event.type)}`;
}

/** The JSON body published for an event (bigints as decimal strings). */
export function eventPayload(event: RecordedEvent): string {
  return JSON.stringify({
    eventId: event.eventId,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
    globalPosition: event.globalPosition.toString(),
    transactionId: event.transactionId.toString(),
    recordedAt: event.recordedAt.toISOString(),
  });
}

/** `eventPayload`'s JSON: the event with its bigint and Date fields as strings. */
type EventPayload = Omit<RecordedEvent, "globalPosition" | "transactionId" | "recordedAt"> & {
  globalPosition: string;
  transactionId?: string;
  recordedAt: string;
};

/** The event a relayed message carries (the inverse of `eventPayload`). */
export function parseEventPayload(payload: string): RecordedEvent {
  // The relay's own JSON (eventPayload); the fields whose type changes on the wire are checked.
  const body: EventPayload = JSON.parse(payload);
  for (const field of ["eventId", "streamId", "type", "globalPosition", "recordedAt"] as const) {
    if (typeof body[field] !== "string") throw new Error(`relayed event has no ${field}`);
  }
  return {
    ...body,
    globalPosition: BigInt(body.globalPosition),
    transactionId: BigInt(body.transactionId ?? "0"),
    recordedAt: new Date(body.recordedAt),
  };
}
