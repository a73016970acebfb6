import type { EventMetadata, RecordedEvent } from "./envelope.js";

/** Columns selected for a recorded event, in the shape node-pg hands them back. */
export const EVENT_COLUMNS =
  "global_position, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at, transaction_id";

export interface EventRow {
  global_position: string;
  stream_id: string;
  stream_version: number;
  event_id: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
  transaction_id: string;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    globalPosition: BigInt(row.global_position),
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
    transactionId: BigInt(row.transaction_id),
  };
}
