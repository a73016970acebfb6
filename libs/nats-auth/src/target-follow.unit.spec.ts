import { retryDelayMs } from "./target-follow.js";

describe("target follow: the wait after a failed read", () => {
  const low = () => 0;
  const high = () => 1;

  it("doubles from retryMs up to the check interval, spread over half to one and a half", () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, 1_000, 60_000, false, low))).toEqual([
      500, 1_000, 2_000,
    ]);
    expect(retryDelayMs(1, 1_000, 60_000, false, high)).toBe(1_500);
    expect(retryDelayMs(20, 1_000, 60_000, false, low)).toBe(30_000);
  });

  it("after a timeout (a busy server) waits at least the request timeout, spread the same way", () => {
    expect(retryDelayMs(1, 1_000, 60_000, true, low)).toBe(2_500);
    expect(retryDelayMs(1, 1_000, 60_000, true, high)).toBe(7_500);
    expect(retryDelayMs(5, 1_000, 60_000, true, low)).toBe(8_000);
    // Never past the check interval a test (or a board) asked for.
    expect(retryDelayMs(1, 100, 2_000, true, high)).toBe(3_000);
    expect(retryDelayMs(1, 100, 2_000, true, low)).toBe(1_000);
  });
});
