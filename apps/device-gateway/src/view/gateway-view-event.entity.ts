import type { EventMetadata } from "@statecast/events";
import { Column, Entity, PrimaryColumn } from "typeorm";

/**
 * A row of `gateway_view_events` (gateway-0003-view): one event of a stream the gateway decides
 * with, as SC_EVENTS delivered it. Written only by `GatewayView.record`; the orchestrator's tables
 * are never read, this is the gateway's own copy of what it needs.
 */
@Entity({ name: "gateway_view_events" })
export class GatewayViewEvent {
  @PrimaryColumn({ name: "event_id", type: "uuid" })
  eventId!: string;

  @Column({ name: "stream_id", type: "text" })
  streamId!: string;

  @Column({ name: "stream_version", type: "integer" })
  streamVersion!: number;

  @Column({ type: "text" })
  type!: string;

  @Column({ name: "schema_version", type: "integer" })
  schemaVersion!: number;

  @Column({ type: "jsonb" })
  data!: object;

  @Column({ type: "jsonb" })
  metadata!: EventMetadata;

  @Column({ name: "global_position", type: "bigint" })
  globalPosition!: string;

  @Column({ name: "recorded_at", type: "timestamptz" })
  recordedAt!: Date;
}
