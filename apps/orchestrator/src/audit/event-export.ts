import type { EventView } from "./event-view.js";

export const CSV_HEADER = [
  "global_position",
  "transaction_id",
  "recorded_at",
  "stream_id",
  "stream_version",
  "event_id",
  "type",
  "schema_version",
  "actor",
  "correlation_id",
  "causation_id",
  "data",
  "metadata",
];

/** RFC 4180 field: quoted when it holds a quote, comma or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvLine(fields: string[]): string {
  return `${fields.map(csvField).join(",")}\r\n`;
}

export function toCsvLine(event: EventView): string {
  const metadata = (event.metadata ?? {}) as Record<string, unknown>;
  return csvLine([
    event.globalPosition,
    event.transactionId,
    event.recordedAt,
    event.streamId,
    String(event.streamVersion),
    event.eventId,
    event.type,
    String(event.schemaVersion),
    String(metadata.actor ?? ""),
    String(metadata.correlationId ?? ""),
    String(metadata.causationId ?? ""),
    JSON.stringify(event.data),
    JSON.stringify(event.metadata),
  ]);
}

export function toNdjsonLine(event: EventView): string {
  return `${JSON.stringify(event)}\n`;
}

/**
 * The last line of an export cut at its row cap: where the next request continues (`cursor=`).
 * NDJSON gets an object no event has the shape of; CSV a `#` comment line.
 */
export function truncationLine(format: "ndjson" | "csv", maxRows: number, next: string): string {
  return format === "csv"
    ? `# truncated after ${maxRows} rows (STATECAST_AUDIT_EXPORT_MAX_ROWS); continue with cursor=${next}\r\n`
    : `${JSON.stringify({ truncated: true, maxRows, next })}\n`;
}
