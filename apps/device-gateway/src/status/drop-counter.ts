import { Logger } from "@nestjs/common";

/** Reports acked without an event, counted by reason and logged (ids only, never payloads). */
export class DropCounter {
  private readonly counts = new Map<string, number>();
  private readonly logger = new Logger("StatusIngestion");

  drop(reason: string, deviceId: string, detail: string): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
    const line = `report from ${deviceId.slice(0, 64)} dropped (${reason}): ${detail.slice(0, 300)}`;
    // A report for a target that already ended is the device re-sending after a reconnect
    // (at-least-once delivery): expected, so not a warning. Every other drop is one.
    if (reason === "settled") this.logger.debug(line);
    else this.logger.warn(line);
  }

  get(reason: string): number {
    return this.counts.get(reason) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
