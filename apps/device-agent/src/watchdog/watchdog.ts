import { type FileHandle, open } from "node:fs/promises";
import type { Logger } from "../log.js";
import type { HealthVerdict } from "./health.js";

/**
 * A Linux hardware watchdog (`/dev/watchdog`, QEMU's i6300esb): every write pets it; closing
 * after writing the magic 'V' disarms it (only on a clean stop). While the agent is
 * unhealthy it stops petting and the board resets when the timer runs out.
 */
export class Watchdog {
  private handle: FileHandle | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unhealthy: string | undefined;

  constructor(
    readonly device: string,
    readonly intervalMs: number,
    private readonly health: () => Promise<HealthVerdict>,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.handle = await open(this.device, "w");
    await this.pet();
    this.timer = setInterval(() => void this.pet(), this.intervalMs);
  }

  /** One interval: pet when healthy; returns whether it petted. */
  async pet(): Promise<boolean> {
    const handle = this.handle;
    if (!handle) return false;
    const verdict = await this.health().catch(
      (error): HealthVerdict => ({ healthy: false, why: (error as Error).message }),
    );
    if (!verdict.healthy) {
      if (this.unhealthy !== verdict.why)
        this.log.error("watchdog: not petting", { why: verdict.why });
      this.unhealthy = verdict.why;
      return false;
    }
    if (this.unhealthy) this.log.info("watchdog: healthy again");
    this.unhealthy = undefined;
    try {
      await handle.write("\0");
      return true;
    } catch (error) {
      // Closed by stop() meanwhile, or the device went away: the next interval tells.
      this.log.warn("watchdog: pet failed", { error: (error as Error).message });
      return false;
    }
  }

  /** Clean stop: the magic close disarms the watchdog. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    const handle = this.handle;
    this.handle = undefined;
    if (!handle) return;
    await handle.write("V").catch(() => undefined);
    await handle.close();
  }
}
