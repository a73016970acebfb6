import { targetedDevice } from "./device-history.test-helper.js";
import { gapBefore, gapSeqs } from "./report-gap.js";

/** Enrolled and targeted, having applied the reports `(bootId, seq)` given, in order. */
const aDevice = (...applied: [string, number][]) =>
  targetedDevice(...applied.map(([bootId, seq]) => ({ bootId, seq })));

describe("gapBefore", () => {
  it("finds none for the next report of the boot, a duplicate or a stale one", () => {
    const state = aDevice(["boot-a", 3]);
    for (const seq of [1, 3, 4]) expect(gapBefore({ bootId: "boot-a", seq }, state)).toBeNull();
  });

  it("names the seqs a report of the same boot came ahead of", () => {
    const gap = gapBefore({ bootId: "boot-a", seq: 7 }, aDevice(["boot-a", 3]));
    expect(gap).toEqual({ bootId: "boot-a", from: 4, to: 6 });
    expect(gapSeqs(gap!)).toBe("4-6");
    expect(gapSeqs({ bootId: "boot-a", from: 4, to: 4 })).toBe("4");
  });

  it("counts from a later report acked without an event (dropped on purpose) of the same boot", () => {
    const state = aDevice(["boot-a", 3]);
    expect(gapBefore({ bootId: "boot-a", seq: 6 }, state, { bootId: "boot-a", seq: 5 })).toBeNull();
    expect(gapBefore({ bootId: "boot-a", seq: 6 }, state, { bootId: "boot-x", seq: 5 })).toEqual({
      bootId: "boot-a",
      from: 4,
      to: 5,
    });
  });

  it("holds a new boot's report until its seq 1 came, on a device that never reported too", () => {
    for (const state of [aDevice(["boot-a", 3]), aDevice()]) {
      expect(gapBefore({ bootId: "boot-b", seq: 1 }, state)).toBeNull();
      expect(gapBefore({ bootId: "boot-b", seq: 3 }, state)).toEqual({
        bootId: "boot-b",
        from: 1,
        to: 2,
      });
      const consumed = { bootId: "boot-b", seq: 2 };
      expect(gapBefore({ bootId: "boot-b", seq: 3 }, state, consumed)).toBeNull();
    }
  });

  it("finds none for an earlier boot: it is stale", () => {
    const state = aDevice(["boot-a", 9], ["boot-b", 1]);
    expect(gapBefore({ bootId: "boot-a", seq: 20 }, state)).toBeNull();
  });
});

describe("gapBefore with prevSeq (the seq the agent sent before the report)", () => {
  it("finds none when the report the agent sent before it was applied: the seqs between were kept back", () => {
    const state = aDevice(["boot-a", 3]);
    expect(gapBefore({ bootId: "boot-a", seq: 7, prevSeq: 3 }, state)).toBeNull();
    expect(gapBefore({ bootId: "boot-a", seq: 7, prevSeq: 2 }, state)).toBeNull();
  });

  it("finds none for a boot's first sent report, whatever seqs it kept back before it", () => {
    for (const state of [aDevice(["boot-a", 3]), aDevice()]) {
      expect(gapBefore({ bootId: "boot-b", seq: 2, prevSeq: 0 }, state)).toBeNull();
      expect(gapBefore({ bootId: "boot-b", seq: 9, prevSeq: 0 }, state)).toBeNull();
    }
  });

  it("waits for exactly the seq it declares sent when that one is not in yet", () => {
    const gap = gapBefore({ bootId: "boot-a", seq: 7, prevSeq: 5 }, aDevice(["boot-a", 3]));
    expect(gap).toEqual({ bootId: "boot-a", from: 5, to: 5 });
    expect(gapSeqs(gap!)).toBe("5");
    expect(gapBefore({ bootId: "boot-b", seq: 3, prevSeq: 1 }, aDevice())).toEqual({
      bootId: "boot-b",
      from: 1,
      to: 1,
    });
  });

  it("counts a report acked without an event as in", () => {
    const state = aDevice(["boot-a", 3]);
    const consumed = { bootId: "boot-a", seq: 5 };
    expect(gapBefore({ bootId: "boot-a", seq: 7, prevSeq: 5 }, state, consumed)).toBeNull();
  });

  it("changes nothing for the next report, a duplicate, a stale one or an earlier boot", () => {
    const state = aDevice(["boot-a", 9], ["boot-b", 3]);
    for (const seq of [2, 3, 4])
      expect(gapBefore({ bootId: "boot-b", seq, prevSeq: seq - 1 }, state)).toBeNull();
    expect(gapBefore({ bootId: "boot-a", seq: 20, prevSeq: 15 }, state)).toBeNull();
  });
});
