import type { JsMsg } from "@nats-io/jetstream";
import { Logger } from "@nestjs/common";
import { gapSeqs, type ReportCursorData, type ReportGap } from "@statecast/device-domain";
import type { ArrivedMessage } from "./device-report-applier.js";

/** A report the ingestor holds for a gap: when it was first held, when its ack wait was last reset. */
export interface HeldReport {
  msg: JsMsg;
  arrived: ArrivedMessage;
  heldSince?: number;
  touchedAt?: number;
}

/** How long past the consumer's ack wait a gap is waited for: its redelivery, then its commit. */
export const GAP_MARGIN_MS = 5_000;
/** How often a held device is decided again (another replica may have applied the gap). */
export const GAP_RECHECK_MS = 500;

/**
 * The ingestor's hold on reports that came ahead of earlier ones of their boot (see gapBefore):
 * kept unacked in memory (their ack wait reset, so JetStream does not hand them to another
 * replica) until the earlier ones are applied, here or by another replica. A report in flight in
 * a gateway that died comes back after the consumer's ack wait, so past that (and a margin) the
 * gap is given up: the held report is applied, the seqs it skipped counted and logged, never
 * silently lost. Also remembers, per device, the last report acked without an event (a drop on
 * purpose leaves no cursor in the stream), so that such a drop is no gap here.
 */
export class ReportGapHold {
  private readonly logger = new Logger("StatusIngestion");
  private readonly consumedBy = new Map<string, ReportCursorData>();
  /** Devices with reports held for a gap: a message of theirs arriving is decided at once. */
  private readonly holding = new Set<string>();
  /** Reports held for a gap (each counted once); almost all are applied once the gap fills. */
  held = 0;
  /** Seqs given up on: a later report of their boot was applied without them. */
  skipped = 0;

  /** Time a report is held before its gap is given up. */
  boundMs = 30_000 + GAP_MARGIN_MS;
  /** How often a held report's ack wait is reset: well within the ack wait. */
  private touchEveryMs = 1_000;

  constructor(private readonly maxDevices = 100_000) {}

  /** Sets the hold's bound from the consumer's ack wait (or `boundMs` when given). */
  configure(ackWaitMs: number, boundMs?: number): void {
    this.boundMs = boundMs ?? ackWaitMs + GAP_MARGIN_MS;
    this.touchEveryMs = Math.min(1_000, Math.max(50, Math.floor(ackWaitMs / 3)));
  }

  /** Holds `report` once more at `now`: true when its gap is given up (apply it next time). */
  hold(report: HeldReport, now: number, why: string): boolean {
    if (report.heldSince === undefined) {
      report.heldSince = now;
      this.held++;
      this.logger.debug(`report ${report.arrived.messageId.slice(0, 200)} held: ${why}`);
    }
    if (report.touchedAt === undefined || now - report.touchedAt >= this.touchEveryMs) {
      report.msg.working();
      report.touchedAt = now;
    }
    if (now - report.heldSince < this.boundMs) return false;
    report.arrived.gapGivenUp = true;
    return true;
  }

  /**
   * Holds the reports of a device its transaction left undecided for a gap, at `now`: "none"
   * when there are none (the device holds nothing any more), "given_up" when a gap was given up
   * (apply them next time), else "recheck": decide them again after GAP_RECHECK_MS, or as soon as
   * a message of the device arrives (it may be the gap).
   */
  holdDevice(
    deviceId: string,
    held: readonly { report: HeldReport; why: string }[],
    now: number,
  ): "none" | "recheck" | "given_up" {
    if (held.length === 0) {
      this.holding.delete(deviceId);
      return "none";
    }
    this.holding.add(deviceId);
    let givenUp = false;
    for (const { report, why } of held) givenUp = this.hold(report, now, why) || givenUp;
    return givenUp ? "given_up" : "recheck";
  }

  /** Whether the device has reports held for a gap. */
  isHolding(deviceId: string): boolean {
    return this.holding.has(deviceId);
  }

  /**
   * The device's reports in memory (`queued`, in stream order) that count against its rate's
   * `maxHeld` for a message at stream sequence `seq`: none when it came before the reports held
   * for a gap (it may be the gap: handed back, it would find the held ones still there, and be
   * handed back for good).
   */
  countedAgainstRate(queued: readonly HeldReport[], seq: number): number {
    const firstHeld = queued.find((q) => q.heldSince !== undefined);
    return firstHeld && seq < firstHeld.msg.seq ? 0 : queued.length;
  }

  /** A report was applied past seqs that never came: counted and logged. */
  gaveUp(deviceId: string, gap: ReportGap): void {
    this.skipped += gap.to - gap.from + 1;
    this.logger.error(
      `device ${deviceId.slice(0, 64)} boot ${gap.bootId.slice(0, 64)}: seq ${gapSeqs(gap)} never came within ${this.boundMs} ms; the reports after them were applied without them`,
    );
  }

  /** The device's report `(bootId, seq)` was acked without an event. */
  consumed(deviceId: string, report: ReportCursorData): void {
    const known = this.consumedBy.get(deviceId);
    if (known?.bootId === report.bootId && known.seq >= report.seq) return;
    this.consumedBy.delete(deviceId);
    this.consumedBy.set(deviceId, { bootId: report.bootId, seq: report.seq });
    if (this.consumedBy.size > this.maxDevices) {
      const oldest = this.consumedBy.keys().next().value;
      if (oldest !== undefined) this.consumedBy.delete(oldest);
    }
  }

  consumedOf(deviceId: string): ReportCursorData | undefined {
    return this.consumedBy.get(deviceId);
  }
}
