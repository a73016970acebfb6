import { replayLines } from "./rollout-replay.js";
import { rolloutBlock, type WaveView } from "./rollout-view.js";

describe("rollout replay and status lines", () => {
  it("prints the recorded decisions, the replayed ones and what no longer fits", () => {
    const lines = replayLines({
      rolloutId: "r-1",
      inputs: 5,
      horizon: "2026-03-01T10:01:40.000Z",
      recorded: {
        status: "paused",
        decisions: [
          {
            at: "2026-03-01T10:00:20.000Z",
            type: "WaveGateFailed",
            summary: "wave 0 gate failed: 2 failures exceed the cap of 1",
          },
        ],
      },
      replayed: {
        status: "running",
        decisions: [
          {
            at: "2026-03-01T10:01:16.000Z",
            type: "WaveGatePassed",
            summary: "wave 0 gate passed: 2/4 succeeded, 2 failure(s)",
          },
        ],
      },
      refused: [
        {
          at: "2026-03-01T10:00:30.000Z",
          input: "ResumeRollout",
          message: "cannot resume rollout r-1: it is running",
        },
      ],
    });
    expect(lines).toEqual([
      "rollout r-1: replayed 5 recorded input(s) up to 2026-03-01T10:01:40.000Z; nothing written",
      "recorded (paused):",
      "  2026-03-01T10:00:20.000Z  wave 0 gate failed: 2 failures exceed the cap of 1",
      "with this policy (running):",
      "  2026-03-01T10:01:16.000Z  wave 0 gate passed: 2/4 succeeded, 2 failure(s)",
      "  2026-03-01T10:00:30.000Z  ResumeRollout no longer fits: cannot resume rollout r-1: it is running",
    ]);
  });

  it("shows a deferred wave's start, consent answers and over-long locks", () => {
    const wave: WaveView = {
      index: 0,
      status: "pending",
      size: 2,
      gate: { state: "not_started", succeeded: 0, finished: 0, failures: 0, required: 2 },
      soak: { soakSeconds: 0, soakingDevices: 0, longestSoakingSeconds: 0, remainingSeconds: 0 },
      deferredUntil: "2026-05-01T02:00:00.000Z",
    };
    const lines = rolloutBlock({
      rolloutId: "r-1",
      status: "running",
      revision: { fleet: "lab", number: 4 },
      currentWave: 0,
      devices: 2,
      waves: [wave],
      etaSeconds: null,
      pace: { maxInFlight: 500, inFlight: 2 },
      consent: { asked: 1, accept: 0, later: 0, skip: 1 },
      overLongLocks: [
        {
          deviceId: "d-1",
          detail: "downloaded; update lock of app held by sale",
          heldSince: "2026-05-01T00:00:00.000Z",
          seconds: 7200,
        },
      ],
    });
    expect(lines[1]).toMatch(/pending 0\/2 ok, 0 failed, starts 2026-05-01T02:00:00.000Z$/);
    expect(lines).toContain("  paced: 2 of at most 500 updating");
    expect(lines).toContain("  consent: 0 accepted, 1 skipped, 0 later, 1 asked");
    expect(lines).toContain(
      "  over-long lock: d-1 downloaded; update lock of app held by sale (7200s)",
    );
  });
});
