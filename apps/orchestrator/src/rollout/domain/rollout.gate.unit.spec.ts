import type { WaveSpec } from "./rollout.definition.js";
import { evaluateGate } from "./rollout.gate.js";
import type { StatusCounts, WaveState } from "./rollout.js";
import { emptyCounts } from "./rollout.js";

function wave(spec: Partial<WaveSpec>, counts: Partial<StatusCounts>, lateFailures = 0): WaveState {
  const all = { ...emptyCounts(), ...counts };
  const size = Object.values(all).reduce((a, b) => a + b, 0);
  return {
    index: 0,
    spec: {
      size: { count: size },
      minSample: 1,
      soakSeconds: 0,
      maxFailures: { count: 0 },
      ...spec,
    },
    deviceIds: Array.from({ length: size }, (_, i) => `d${i}`),
    status: "running",
    startedAt: null,
    closedAt: null,
    counts: all,
    lateFailures,
    deferredUntil: null,
    deferredBy: null,
  };
}

describe("evaluateGate", () => {
  it.each([
    {
      rule: "finished but still soaking is not passing",
      w: wave({ maxFailures: { percent: 10 } }, { soaking: 10 }),
      verdict: "pending",
    },
    {
      rule: "enough soaked successes pass, stragglers tolerated by the percentage",
      w: wave({ maxFailures: { percent: 20 } }, { succeeded: 8, downloading: 2 }),
      verdict: "passed",
    },
    {
      rule: "one success short of the gate does not pass",
      w: wave({ maxFailures: { percent: 20 } }, { succeeded: 7, downloading: 3 }),
      verdict: "pending",
    },
    {
      rule: "the percentage is over finished devices (1 of 4 = 25% > 20%)",
      w: wave(
        { minSample: 4, maxFailures: { percent: 20 } },
        { succeeded: 3, failed: 1, assigned: 6 },
      ),
      verdict: "failed",
    },
    {
      rule: "no percentage decision before minSample",
      w: wave(
        { minSample: 5, maxFailures: { percent: 20 } },
        { failed: 2, rejected: 2, assigned: 6 },
      ),
      verdict: "pending",
    },
    {
      rule: "the absolute cap trips before minSample",
      w: wave({ minSample: 5, maxFailures: { percent: 20, count: 1 } }, { failed: 2, assigned: 8 }),
      verdict: "failed",
    },
    {
      rule: "late failures of earlier waves count against this gate",
      w: wave({ maxFailures: { count: 1 } }, { succeeded: 1, assigned: 3 }, 2),
      verdict: "failed",
    },
    {
      rule: "devices already on the revision count as successes",
      w: wave({}, { already_on_revision: 3, succeeded: 1 }),
      verdict: "passed",
    },
    {
      rule: "minSample larger than the wave is capped at the wave's size",
      w: wave({ minSample: 50 }, { succeeded: 2 }),
      verdict: "passed",
    },
    {
      rule: "cancelled devices are no longer members",
      w: wave({}, { succeeded: 2, cancelled: 5 }),
      verdict: "passed",
    },
    { rule: "an empty wave passes", w: wave({}, {}), verdict: "passed" },
  ])("$rule", ({ w, verdict }) => {
    expect(evaluateGate(w).verdict).toBe(verdict);
  });

  it("explains a failure with the numbers", () => {
    const w = wave({ minSample: 4, maxFailures: { percent: 20 } }, { succeeded: 3, failed: 1 });
    expect(evaluateGate(w)).toEqual({
      verdict: "failed",
      counts: { members: 4, finished: 4, succeeded: 3, failures: 1, lateFailures: 0 },
      required: 4,
      reason: "1 of 4 finished devices failed (25%), above 20%",
    });
  });
});
