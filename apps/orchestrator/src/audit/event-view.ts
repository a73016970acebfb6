import { ApiProperty } from "@nestjs/swagger";
import type { RecordedEvent } from "@statecast/events";

/** An event as the API shows it: 64-bit positions as decimal strings. */
export class EventView {
  @ApiProperty() globalPosition!: string;
  @ApiProperty() transactionId!: string;
  @ApiProperty() streamId!: string;
  @ApiProperty() streamVersion!: number;
  @ApiProperty() eventId!: string;
  @ApiProperty() type!: string;
  @ApiProperty() schemaVersion!: number;
  @ApiProperty({ type: "object", additionalProperties: true }) data!: unknown;
  @ApiProperty({ type: "object", additionalProperties: true }) metadata!: unknown;
  @ApiProperty() recordedAt!: string;
}

export function toEventView(event: RecordedEvent): EventView {
  return {
    globalPosition: event.globalPosition.toString(),
    transactionId: event.transactionId.toString(),
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt.toISOString(),
  };
}
