import { HealthLimiter, type HealthObservation } from "./health-limiter.js";

const crash: HealthObservation = {
  health: "container_restarted",
  revision: "fleet#2",
  part: "app",
  exitCode: 3,
  message: "app: exited",
};

describe("HealthLimiter: a crash loop is one report with a count per window", () => {
  it("reports the first crash at once and holds the rest of its window as one count", () => {
    const limiter = new HealthLimiter(60_000);
    expect(limiter.observe(crash, 0)).toMatchObject({ count: 1, exitCode: 3 });
    expect(limiter.observe(crash, 1_000)).toBeNull();
    expect(limiter.observe({ ...crash, exitCode: 4 }, 2_000)).toBeNull();
    expect(limiter.due(59_999)).toEqual([]);
    expect(limiter.nextDue()).toBe(60_000);
    expect(limiter.due(60_000)).toEqual([
      {
        revision: "fleet#2",
        health: "container_restarted",
        part: "app",
        exitCode: 4,
        count: 2,
        firstAt: new Date(1_000).toISOString(),
        lastAt: new Date(2_000).toISOString(),
        message: "app: exited (2 times)",
      },
    ]);
  });

  it("keeps (kind, part) apart: another part's crash is reported at once", () => {
    const limiter = new HealthLimiter(60_000);
    limiter.observe(crash, 0);
    expect(limiter.observe({ ...crash, part: "db" }, 1)).toMatchObject({ part: "db", count: 1 });
    expect(limiter.observe({ ...crash, health: "container_exited" }, 2)).not.toBeNull();
  });

  it("reports at once again after a quiet window", () => {
    const limiter = new HealthLimiter(60_000);
    limiter.observe(crash, 0);
    expect(limiter.due(60_000)).toEqual([]);
    expect(limiter.observe(crash, 61_000)).toMatchObject({ count: 1 });
  });

  it("bounds a 5-minute crash loop (a crash every 2 s) to 1 + floor(5 min / window) reports", () => {
    for (const windowMs of [60_000, 10_000]) {
      const limiter = new HealthLimiter(windowMs);
      let reports = 0;
      let crashes = 0;
      let counted = 0;
      const sent = (report: { count: number }) => {
        reports++;
        counted += report.count;
      };
      for (let now = 0; now <= 300_000; now += 500) {
        if (now % 2_000 === 0) {
          crashes++;
          const now_ = limiter.observe(crash, now);
          if (now_) sent(now_);
        }
        for (const held of limiter.due(now)) sent(held);
      }
      for (const held of limiter.due(Number.MAX_SAFE_INTEGER)) sent(held);
      expect(reports).toBeLessThanOrEqual(1 + Math.floor(300_000 / windowMs) + 1);
      expect(reports).toBeGreaterThan(1);
      expect(counted).toBe(crashes); // nothing lost: every crash is in some report's count
    }
  });
});
