import { Column, Entity, PrimaryColumn } from "typeorm";
import type { DeviceRecord } from "./device-record.js";

/**
 * A row of the `device_registry` projection (orchestrator-0001-read-models): the device's record
 * and the columns its lists filter on. Written only by `DeviceRegistryProjection`, in batches of
 * SQL inside the projection's transaction; read through `DeviceRepository`.
 */
@Entity({ name: "device_registry" })
export class DeviceRegistryRow {
  @PrimaryColumn({ name: "device_id", type: "text" })
  deviceId!: string;

  @Column({ type: "text", nullable: true })
  fleet!: string | null;

  @Column({ type: "jsonb" })
  tags!: Record<string, string>;

  @Column({ type: "text" })
  approval!: string;

  @Column({ name: "last_status", type: "text", nullable: true })
  lastStatus!: string | null;

  @Column({ type: "boolean" })
  online!: boolean;

  @Column({ name: "last_seen_at", type: "timestamptz", nullable: true })
  lastSeenAt!: Date | null;

  /** As stored: possibly an older shape, read through `currentShape`. */
  @Column({ type: "jsonb" })
  record!: DeviceRecord;
}
