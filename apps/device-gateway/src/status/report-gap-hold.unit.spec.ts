import type { JsMsg } from "@nats-io/jetstream";
import type { ArrivedMessage } from "./device-report-applier.js";
import { type HeldReport, ReportGapHold } from "./report-gap-hold.js";

/** A pulled message at stream sequence `seq`, counting the ack-wait resets it is given. */
function aHeldReport(seq: number): HeldReport & { touches: number } {
  const report = { touches: 0 } as HeldReport & { touches: number };
  report.msg = { seq, working: () => report.touches++ } as unknown as JsMsg;
  report.arrived = { messageId: `d1:boot-a:${seq}` } as ArrivedMessage;
  return report;
}

describe("ReportGapHold, per device", () => {
  it("holds a device's reports, rechecking until the bound, then gives the gap up", () => {
    const gaps = new ReportGapHold();
    gaps.configure(3_000); // bound: 3 s + 5 s
    const held = [aHeldReport(7), aHeldReport(8)].map((report) => ({ report, why: "gap" }));
    expect(gaps.holdDevice("d1", held, 0)).toBe("recheck");
    expect(gaps.isHolding("d1")).toBe(true);
    expect(gaps.held).toBe(2);
    expect(gaps.holdDevice("d1", held, 7_999)).toBe("recheck");
    expect(gaps.holdDevice("d1", held, 8_000)).toBe("given_up");
    expect(gaps.held).toBe(2); // each counted once
    expect(held.every(({ report }) => report.arrived.gapGivenUp)).toBe(true);
    expect(held[0]!.report.touches).toBeGreaterThanOrEqual(2); // its ack wait kept from running out
    expect(gaps.holdDevice("d1", [], 8_001)).toBe("none");
    expect(gaps.isHolding("d1")).toBe(false);
  });

  it("counts no queued report against the rate for a message that came before the held ones", () => {
    const gaps = new ReportGapHold();
    const queued = [aHeldReport(7), aHeldReport(8)];
    expect(gaps.countedAgainstRate(queued, 5)).toBe(2); // nothing held: all count
    gaps.holdDevice("d1", [{ report: queued[0]!, why: "gap" }], 0);
    expect(gaps.countedAgainstRate(queued, 5)).toBe(0); // it may be the gap
    expect(gaps.countedAgainstRate(queued, 9)).toBe(2);
  });
});
