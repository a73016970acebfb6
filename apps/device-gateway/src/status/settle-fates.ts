import type { JsMsg } from "@nats-io/jetstream";
import { consumedWithoutEvent, type MessageFate } from "./device-report-applier.js";
import type { Queued } from "./queued-report.js";
import type { ReportGapHold } from "./report-gap-hold.js";

/** What a device's transaction left: reports applied, and those held for a gap (unacked). */
export interface Settled {
  applied: number;
  held: { report: Queued; why: string }[];
}

/**
 * Settles a device's reports by the fates its transaction decided, in order: an applied one is
 * acked (a gap it was applied past counted as skipped); a drop is acked and counted, and one
 * that was news by its seq (acked without an event) is remembered so that it is no gap; a
 * report held for a gap stays unacked and is returned to be held.
 */
export function settleFates(
  deviceId: string,
  queued: readonly Queued[],
  fates: readonly MessageFate[],
  gaps: ReportGapHold,
  drop: (msg: JsMsg, reason: string, deviceId: string, detail: string) => void,
): Settled {
  const settled: Settled = { applied: 0, held: [] };
  fates.forEach((fate, i) => {
    const q = queued[i]!;
    if (!fate.applied && fate.reason === "held") {
      settled.held.push({ report: q, why: fate.detail });
      return;
    }
    q.span?.end();
    if (fate.applied) {
      settled.applied++;
      if (fate.skipped) gaps.gaveUp(deviceId, fate.skipped);
      q.msg.ack();
    } else if (fate.reason === "no_change") {
      q.msg.ack();
    } else {
      const { message } = q.arrived;
      if (consumedWithoutEvent(fate) && message.kind !== "heartbeat")
        gaps.consumed(deviceId, message);
      drop(q.msg, fate.reason, deviceId, fate.detail);
    }
  });
  return settled;
}
