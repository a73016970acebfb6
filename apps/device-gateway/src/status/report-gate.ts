import type { JsMsg } from "@nats-io/jetstream";
import { HandedBackReports } from "./handed-back.js";
import { ReportRate, type ReportRateOptions } from "./report-rate.js";

/**
 * The ingestor's side of the per-device report rate: which reports of a device may be applied
 * now, which wait (held in order, or handed back to JetStream past `maxHeld`), and telling the
 * device to back off. Nothing is dropped here: every report is applied once its turn comes.
 */
export class ReportGate {
  private readonly rate: ReportRate;
  private readonly handedBack = new HandedBackReports();
  private readonly backoffSent = new Map<string, number>();
  /** Reports held back or handed back because their device was over its rate (none is lost). */
  limited = 0;

  constructor(
    options: ReportRateOptions = {},
    /** Tells a device over its rate when to send again (`sc.inbox.<id>.backoff`). */
    private readonly backoff?: (deviceId: string, retryAfterMs: number) => void,
  ) {
    this.rate = new ReportRate(options);
  }

  /**
   * A report of a device already holding `maxHeld` reports, or that came after one handed back,
   * goes back to JetStream (nak with the time the held ones take to drain) instead of memory, so
   * one flooding device cannot fill what the gateway pulls for all. True when handed back.
   */
  handBack(msg: JsMsg, deviceId: string, held: number): boolean {
    const admitted = this.handedBack.admit(deviceId, msg.seq, held < this.rate.maxHeld);
    if (admitted === "take") return false;
    if (admitted === "hand-back-first") this.limited++;
    const delay = this.rate.drainMs();
    msg.nak(delay);
    this.tellToBackOff(deviceId, delay);
    return true;
  }

  /**
   * How many of the device's `queued` reports its rate allows now, and when it may go on with
   * the rest (`waitMs`, absent when all are allowed). `limited` marks each report counted.
   */
  allow(
    deviceId: string,
    queued: { limited?: boolean }[],
    now: number,
  ): { granted: number; waitMs?: number } {
    const granted = this.rate.take(deviceId, queued.length, now);
    if (granted === queued.length) return { granted };
    for (const q of queued.slice(granted)) {
      if (!q.limited) this.limited++;
      q.limited = true;
    }
    const waitMs = this.rate.waitMs(deviceId, now);
    const drainMs = ((queued.length - granted) / this.rate.perSecond) * 1000;
    this.tellToBackOff(deviceId, Math.max(waitMs, drainMs));
    return { granted, waitMs };
  }

  /** At most once a second per device: the agent pauses its sender (older agents ignore it). */
  private tellToBackOff(deviceId: string, retryAfterMs: number): void {
    const now = Date.now();
    if ((this.backoffSent.get(deviceId) ?? 0) > now - 1_000) return;
    this.backoffSent.set(deviceId, now);
    this.backoff?.(deviceId, Math.ceil(retryAfterMs));
  }
}
