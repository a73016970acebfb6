import type { JetStreamClient } from "@nats-io/jetstream";
import type { Logger } from "../log.js";
import { statusSubject } from "./status-sender.js";

/** Below the gateway's 90 s offline timeout with room for two lost beats. */
export const HEARTBEAT_MS = 30_000;

/**
 * Liveness beats on `sc.dev.<id>.status` (`kind: "heartbeat"`, accepted by every gateway
 * release): one at connect and at every reconnect, then every `everyMs`. The gateway records
 * presence from them and refreshes an expiring target of a device that comes back.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly js: JetStreamClient,
    private readonly beat: { deviceId: string; bootId: string; agentVersion?: string },
    private readonly log: Logger,
    private readonly everyMs = HEARTBEAT_MS,
  ) {}

  start(): void {
    void this.send();
    if (this.everyMs <= 0) return;
    this.timer = setInterval(() => void this.send(), this.everyMs);
    this.timer.unref();
  }

  async send(): Promise<void> {
    const payload = { kind: "heartbeat", ...this.beat, at: new Date().toISOString() };
    try {
      await this.js.publish(statusSubject(this.beat.deviceId), JSON.stringify(payload), {
        timeout: 5000,
      });
    } catch (error) {
      this.log.warn("heartbeat not acknowledged", { error: (error as Error).message });
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Default wait for a refreshed target before an expired one is refused (WONTGO). */
export const EXPIRED_TARGET_GRACE_MS = 60_000;

/**
 * A target found expired when the device comes back (it was offline past the target's lifetime)
 * is held for `graceMs`: the gateway refreshes the target of a device that comes back online, and
 * the refreshed one replaces it. Only when none comes is the expired one applied (and refused as
 * `WONTGO target_expired`, as the anti-freeze rule wants).
 */
export class ExpiredTargetHold {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly graceMs = EXPIRED_TARGET_GRACE_MS) {}

  /** Runs `apply` now, or after the grace if the target is expired and no newer one arrives. */
  offer(expiresAt: unknown, apply: () => void, log: Logger): void {
    clearTimeout(this.timer);
    const expires = typeof expiresAt === "string" ? Date.parse(expiresAt) : Number.NaN;
    if (this.graceMs <= 0 || Number.isNaN(expires) || expires > Date.now()) {
      apply();
      return;
    }
    log.warn("target expired; waiting for a refreshed one", { expiresAt, graceMs: this.graceMs });
    this.timer = setTimeout(apply, this.graceMs);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
