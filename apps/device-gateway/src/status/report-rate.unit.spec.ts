import { HandedBackReports } from "./handed-back.js";
import { ReportRate } from "./report-rate.js";

describe("ReportRate", () => {
  it("grants a burst at once, then the rate, per device", () => {
    const rate = new ReportRate({ perSecond: 10, burst: 5 });
    expect(rate.take("a", 8, 0)).toBe(5);
    expect(rate.take("a", 3, 0)).toBe(0);
    expect(rate.waitMs("a", 0)).toBe(100);
    expect(rate.take("a", 3, 250)).toBe(2);
    expect(rate.take("b", 3, 250)).toBe(3); // another device is not slowed
  });

  it("holds at most 2× the burst, and never more than 15 s of the rate", () => {
    expect(new ReportRate({ perSecond: 10, burst: 5 }).maxHeld).toBe(10);
    expect(new ReportRate({ perSecond: 1, burst: 100 }).maxHeld).toBe(15);
  });
});

describe("HandedBackReports", () => {
  it("keeps a device's reports in order: later ones wait behind the oldest handed back", () => {
    const back = new HandedBackReports();
    expect(back.admit("a", 1, true)).toBe("take");
    expect(back.admit("a", 2, false)).toBe("hand-back-first");
    expect(back.admit("a", 3, true)).toBe("hand-back-first"); // room, but 2 is still out
    expect(back.admit("a", 3, true)).toBe("hand-back"); // redelivered before 2
    expect(back.admit("b", 9, true)).toBe("take");
    expect(back.admit("a", 2, false)).toBe("hand-back"); // back, but still no room
    expect(back.admit("a", 2, true)).toBe("take");
    expect(back.admit("a", 3, true)).toBe("take");
    expect(back.admit("a", 4, true)).toBe("take");
  });
});
