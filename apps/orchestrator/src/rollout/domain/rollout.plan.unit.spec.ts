import { planWaves } from "./rollout.plan.js";
import { aDefinition, aDevice, aRollout, aWave, devices, TARGET } from "./rollout.test-helper.js";

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
    const plan = planWaves(threeWaves, devices(101));
    expect(plan.map((w) => w.devices.length)).toEqual([11, 30, 60]);
    expect(new Set(plan.flatMap((w) => w.devices.map((d) => d.deviceId))).size).toBe(101);
  });

  it("is deterministic and independent of the input order", () => {
    const fleet = devices(50);
    const a = planWaves(threeWaves, fleet);
    const b = planWaves(threeWaves, [...fleet].reverse());
    expect(ids(a)).toEqual(ids(b));
  });

  it("spreads the canary: another seed draws another sample, not the first ids", () => {
    const fleet = devices(200);
    const canaryA = ids(planWaves(threeWaves, fleet))[0];
    const canaryB = ids(planWaves(threeWaves, fleet, "another seed"))[0];
    expect(canaryA).not.toEqual(canaryB);
    expect(canaryA).not.toEqual(fleet.slice(0, 20).map((d) => d.deviceId));
    expect(canaryA?.some((id) => id >= "dev-100")).toBe(true);
  });

  it("flags devices already on the revision and drops duplicates", () => {
    const plan = planWaves(aDefinition({ waves: [aWave({ size: { percent: 100 } })] }), [
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
    const plan = planWaves(threeWaves, devices(3));
    expect(plan.map((w) => w.devices.length)).toEqual([1, 2, 0]);
  });

  it("is the plan start uses, so the dry-run shows what will happen", () => {
    const fleet = devices(40);
    const rollout = aRollout({ definition: threeWaves, devices: fleet });
    const started = rollout.events.find((e) => e.type === "RolloutStarted");
    expect(started?.data).toMatchObject({ plan: planWaves(threeWaves, fleet) });
  });

  it("draws another canary for another revision", () => {
    const fleet = devices(200);
    const next = { ...threeWaves, revision: { ...TARGET, number: TARGET.number + 1 } };
    expect(ids(planWaves(next, fleet))[0]).not.toEqual(ids(planWaves(threeWaves, fleet))[0]);
  });
});
