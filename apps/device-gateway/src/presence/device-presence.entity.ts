import { Column, Entity, PrimaryColumn } from "typeorm";

/**
 * A row of `device_presence` (gateway-0001-device-presence): when a device last sent a heartbeat,
 * and whether it counts as online. Read through `PresenceReader`; written by the SQL of
 * presence.repository, inside the event store's transactions (it says why).
 */
@Entity({ name: "device_presence" })
export class DevicePresence {
  @PrimaryColumn({ name: "device_id", type: "text" })
  deviceId!: string;

  @Column({ name: "last_seen", type: "timestamptz" })
  lastSeen!: Date;

  @Column({ type: "boolean" })
  online!: boolean;
}
