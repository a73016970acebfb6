import { Inject, Injectable, Optional } from "@nestjs/common";
import { InjectRepository } from "@nestjs/typeorm";
import { Metrics } from "@statecast/platform";
import type { Repository } from "typeorm";
import { DevicePresence } from "./device-presence.entity.js";

/**
 * Reads `device_presence` outside any transaction (the sweep reads its candidates inside its own,
 * with the SQL of presence.repository), and exposes how many devices are online on `/metrics`.
 */
@Injectable()
export class PresenceReader {
  constructor(
    @InjectRepository(DevicePresence) private readonly rows: Repository<DevicePresence>,
    @Optional() @Inject(Metrics) metrics?: Metrics,
  ) {
    metrics?.onScrape(
      "statecast_gateway_devices_present",
      "Devices whose last heartbeat is recent enough to count as online (device_presence, shared by the gateway replicas).",
      "gauge",
      async () => [{ value: await this.onlineCount() }],
    );
  }

  /** A device's presence; undefined before its first heartbeat. */
  async find(deviceId: string): Promise<DevicePresence | undefined> {
    return (await this.rows.findOneBy({ deviceId })) ?? undefined;
  }

  /** Devices counted online (the partial index on online rows answers it). */
  onlineCount(): Promise<number> {
    return this.rows.countBy({ online: true });
  }
}
