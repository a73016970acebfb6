import { replayRollout } from "./rollout.replay.js";
import { aDefinition, aRollout, at, aWave, devices, report } from "./rollout.test-helper.js";

const NOW = at(100);

/** A canary of 4 under `maxFailures.count: 1`: two fail, the gate fails on the second, it pauses. */
function pausedOnCanary() {
  const definition = aDefinition({
    waves: [
      aWave({ size: { count: 4 }, maxFailures: { count: 1 }, soakSeconds: 60 }),
      aWave({ size: { percent: 100 } }),
    ],
  });
  const r = aRollout({ definition, devices: devices(8) });
  const [a, b, c, d] = r.membersOf(0).map((id) => id);
  r.when(report.progress(a ?? "", "DOWNLOADING", at(5)));
  r.when(report.error(a ?? "", at(10)));
  r.when(report.done(c ?? "", at(15)));
  r.when(report.done(d ?? "", at(16)));
  r.when(report.error(b ?? "", at(20)));
  expect(r.state.status).toBe("paused");
  return r;
}

describe("policy replay over a recorded rollout", () => {
  it("a looser gate lets the canary pass where the recorded one paused", () => {
    const r = pausedOnCanary();
    const result = replayRollout(r.events, { waves: [{ maxFailures: { count: 2 } }] }, NOW);
    expect(result.recorded.status).toBe("paused");
    expect(result.recorded.decisions.map((x) => x.summary)).toContain(
      "wave 0 gate failed: 2 failures exceed the cap of 1",
    );
    expect(result.replayed.decisions).toEqual([
      { at: at(1), type: "WaveStarted", summary: "wave 0 started" },
      { at: at(1), type: "WaveTargetsAssigned", summary: "wave 0: 4 target(s) assigned" },
      {
        at: at(76),
        type: "WaveGatePassed",
        summary: "wave 0 gate passed: 2/4 succeeded, 2 failure(s)",
      },
      { at: at(76), type: "WaveStarted", summary: "wave 1 started" },
      { at: at(76), type: "WaveTargetsAssigned", summary: "wave 1: 4 target(s) assigned" },
    ]);
    expect(result.replayed.status).toBe("running");
  });

  it("a stricter gate pauses earlier, on the first failure", () => {
    const r = pausedOnCanary();
    const result = replayRollout(r.events, { waves: [{ maxFailures: { count: 0 } }] }, NOW);
    const pausedAt = (decisions: { type: string; at: string }[]) =>
      decisions.find((x) => x.type === "RolloutPaused")?.at;
    expect(pausedAt(result.recorded.decisions)).toBe(at(20));
    expect(pausedAt(result.replayed.decisions)).toBe(at(10));
    expect(result.replayed.decisions.find((x) => x.type === "WaveGateFailed")?.summary).toBe(
      "wave 0 gate failed: 1 failures exceed the cap of 0",
    );
  });

  it("the same policy replays the same decisions", () => {
    const r = pausedOnCanary();
    const result = replayRollout(r.events, {}, NOW);
    expect(result.replayed.decisions).toEqual(result.recorded.decisions);
    expect(result.inputs).toBe(5);
  });

  it("replays the operator's commands and says which no longer fit", () => {
    const r = pausedOnCanary();
    r.when({ type: "ResumeRollout", actor: "operator:ada", reason: "flaky", now: at(30) });
    const looser = replayRollout(r.events, { waves: [{ maxFailures: { count: 2 } }] }, NOW);
    expect(looser.refused).toEqual([
      {
        at: at(30),
        input: "ResumeRollout",
        message: "cannot resume rollout r-1: it is running",
      },
    ]);
  });

  it("refuses a policy that makes no valid definition, and a rollout never started", () => {
    const r = pausedOnCanary();
    expect(() => replayRollout(r.events, { waves: [{ minSample: 0 }] }, NOW)).toThrow(
      /replay policy: .*minSample/,
    );
    expect(() => replayRollout(aRollout({ start: false }).events, {}, NOW)).toThrow(
      /has not started/,
    );
  });
});
