import { parseByteRange } from "./byte-range.js";

describe("parseByteRange", () => {
  it("sends the whole object without a usable single range", () => {
    expect(parseByteRange(undefined, 10)).toBeUndefined();
    expect(parseByteRange("items=0-1", 10)).toBeUndefined();
    expect(parseByteRange("bytes=0-1,3-4", 10)).toBeUndefined();
  });

  it("reads first-last, open-ended and suffix ranges, clamped to the object", () => {
    expect(parseByteRange("bytes=2-5", 10)).toEqual({ start: 2, end: 5 });
    expect(parseByteRange("bytes=7-", 10)).toEqual({ start: 7, end: 9 });
    expect(parseByteRange("bytes=-3", 10)).toEqual({ start: 7, end: 9 });
    expect(parseByteRange("bytes=-30", 10)).toEqual({ start: 0, end: 9 });
    expect(parseByteRange("bytes=8-100", 10)).toEqual({ start: 8, end: 9 });
  });

  it("calls ranges outside the object unsatisfiable", () => {
    expect(parseByteRange("bytes=10-", 10)).toBe("unsatisfiable");
    expect(parseByteRange("bytes=5-2", 10)).toBe("unsatisfiable");
    expect(parseByteRange("bytes=-0", 10)).toBe("unsatisfiable");
    expect(parseByteRange("bytes=-", 10)).toBe("unsatisfiable");
    expect(parseByteRange("bytes=abc", 10)).toBe("unsatisfiable");
    expect(parseByteRange("bytes=0-", 0)).toBe("unsatisfiable");
  });
});
