import { unackedDelayMs } from "./status-sender.js";

describe("status sender: the wait before replaying an unacknowledged report", () => {
  it("doubles from retryMs up to 8 times it, spread over half to one and a half", () => {
    const low = () => 0;
    expect([1, 2, 3, 4, 5, 9].map((n) => unackedDelayMs(n, 1_000, low))).toEqual([
      500, 1_000, 2_000, 4_000, 4_000, 4_000,
    ]);
    expect(unackedDelayMs(1, 1_000, () => 1)).toBe(1_500);
    expect(unackedDelayMs(30, 1_000, () => 1)).toBe(12_000);
  });
});
