import { MetricsRate } from "./metrics-rate.js";

describe("MetricsRate", () => {
  it("lets a device burst 3, then one per interval on average", () => {
    const rate = new MetricsRate(5_000);
    const at = (s: number) => s * 1000;
    expect([0, 0.1, 0.2, 0.3].map((s) => rate.take("d1", at(s)))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(rate.take("d1", at(2))).toBe(false);
    expect(rate.take("d1", at(5.3))).toBe(true);
    expect(rate.take("d1", at(5.4))).toBe(false);
    // Another device has its own bucket.
    expect(rate.take("d2", at(5.4))).toBe(true);
  });

  it("keeps up with an agent at its interval, jitter included", () => {
    const rate = new MetricsRate(5_000);
    const sends = Array.from({ length: 100 }, (_, i) => i * 5000 + (i % 2 ? -400 : 400));
    expect(sends.every((t) => rate.take("d1", t))).toBe(true);
  });

  it("forgets idle devices when it holds too many", () => {
    const rate = new MetricsRate(5_000, 3, 2);
    rate.take("a", 0);
    rate.take("b", 0);
    expect(rate.take("c", 60_000)).toBe(true);
    expect(rate.take("a", 60_000)).toBe(true);
  });
});
