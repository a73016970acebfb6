import { rolloutProgress } from "./rollout.progress.js";
import { aDefinition, aRollout, at, aWave, devices, report } from "./rollout.test-helper.js";

describe("failures grouped by stage and reason", () => {
  it("groups failed devices by the stage they failed in and their reason", () => {
    const definition = aDefinition({
      waves: [
        aWave({ size: { count: 5 }, minSample: 5, maxFailures: { percent: 50, count: 3 } }),
        aWave({ size: { percent: 100 } }),
      ],
    });
    const rollout = aRollout({ definition, devices: devices(8) });
    const [a, b, c, d] = rollout.membersOf(0) as [string, string, string, string];
    rollout.when(report.progress(a, "INPROGRESS", at(10)));
    rollout.when(report.progress(b, "INPROGRESS", at(11)));
    rollout.when(report.progress(c, "TESTING", at(12)));
    rollout.when(report.error(a, at(20), "container_exited"));
    rollout.when(report.error(b, at(21), "container_exited"));
    rollout.when(report.error(c, at(22), "container_exited"));
    rollout.when(report.done(d, at(23)));
    const progress = rolloutProgress(rollout.state, at(30));
    expect(progress?.failures).toEqual([
      {
        stage: "installing",
        reason: "container_exited",
        outcome: "failed",
        count: 2,
        devices: [a, b].sort(),
      },
      { stage: "testing", reason: "container_exited", outcome: "failed", count: 1, devices: [c] },
    ]);
    expect(progress?.waves[0]?.gate).toMatchObject({
      maxFailures: { percent: 50, count: 3 },
      allowedFailures: 2,
      finished: 4,
      failures: 3,
      failurePercent: 75,
    });
  });

  it("has no groups and no failure percent before a device finished", () => {
    const rollout = aRollout({ definition: aDefinition(), devices: devices(4) });
    const progress = rolloutProgress(rollout.state, at(5));
    expect(progress?.failures).toEqual([]);
    expect(progress?.waves[0]?.gate.failurePercent).toBeNull();
  });
});
