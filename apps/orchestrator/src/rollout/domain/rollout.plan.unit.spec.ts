import { planWaves } from "./rollout.plan.js";
import { aDefinition, aDevice, aWave, devices, TARGET } from "./rollout.test-helper.js";

const ids = (plan: ReturnType<typeof planWaves>) =>
  plan.map((w) => w.devices.map((d) => d.deviceId));

describe("planWaves", () => {
  const threeWaves = aDefinition({
    waves: [
      aWave({ size: { percent: 10 } }),
      aWave({ size: { count: 30 } }),
      aWave({ size: { percent: 60 } }),
    ],
  });

  it("sizes waves by percent of the selection (rounded up) or count, the last taking the rest", () => {
    const plan = planWaves("r-1", threeWaves, devices(101));
    expect(plan.map((w) => w.devices.length)).toEqual([11, 30, 60]);
    expect(new Set(plan.flatMap((w) => w.devices.map((d) => d.deviceId))).size).toBe(101);
  });

  it("is deterministic and independent of the input order", () => {
    const fleet = devices(50);
    const a = planWaves("r-1", threeWaves, fleet);
    const b = planWaves("r-1", threeWaves, [...fleet].reverse());
    expect(ids(a)).toEqual(ids(b));
  });

  it("spreads the canary: another rollout id draws another sample, not the first ids", () => {
    const fleet = devices(200);
    const canaryA = ids(planWaves("r-1", threeWaves, fleet))[0];
    const canaryB = ids(planWaves("r-2", threeWaves, fleet))[0];
    expect(canaryA).not.toEqual(canaryB);
    expect(canaryA).not.toEqual(fleet.slice(0, 20).map((d) => d.deviceId));
    expect(canaryA?.some((id) => id >= "dev-100")).toBe(true);
  });

  it("flags devices already on the revision and drops duplicates", () => {
    const plan = planWaves("r-1", aDefinition({ waves: [aWave({ size: { percent: 100 } })] }), [
      aDevice("a"),
      aDevice("b", { currentRevision: TARGET }),
      aDevice("a"),
    ]);
    const planned = new Map(plan[0]?.devices.map((d) => [d.deviceId, d]));
    expect(plan).toHaveLength(1);
    expect(planned.size).toBe(2);
    expect(planned.get("a")).toEqual({ ...aDevice("a"), alreadyOnRevision: false });
    expect(planned.get("b")).toEqual({
      ...aDevice("b", { currentRevision: TARGET }),
      alreadyOnRevision: true,
    });
  });

  it("leaves later waves empty when earlier ones took every device", () => {
    const plan = planWaves("r-1", threeWaves, devices(3));
    expect(plan.map((w) => w.devices.length)).toEqual([1, 2, 0]);
  });
});
