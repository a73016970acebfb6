import type { DevicePlaneState } from "@statecast/device-domain";

/**
 * The folded device-plane state of recently seen devices, with the stream version it was folded
 * at. Only a cache: the ingestion transaction locks each device's stream row and reads the events
 * past the cached version, so a stale entry (another replica, an operator command) costs a read,
 * never a wrong decision. Entries are written only after the transaction that produced them
 * committed. Bounded; the least recently stored entry goes first.
 */
export class DeviceStateCache {
  private readonly entries = new Map<string, { version: number; state: DevicePlaneState }>();

  constructor(private readonly maxEntries = 100_000) {}

  get(deviceId: string): { version: number; state: DevicePlaneState } | undefined {
    return this.entries.get(deviceId);
  }

  set(deviceId: string, version: number, state: DevicePlaneState): void {
    this.entries.delete(deviceId);
    this.entries.set(deviceId, { version, state });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  delete(deviceId: string): void {
    this.entries.delete(deviceId);
  }

  get size(): number {
    return this.entries.size;
  }
}
