import type { RunningProcessor } from "@statecast/events";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import type { SimOutcome } from "../testing/rollout-sim/device-sim.test-helper.js";
import { postSimRevision, sim } from "../testing/rollout-sim/device-sim.test-helper.js";
import { callJson, fleetOf, rolloutReaches } from "./rollout.test-helper.js";

const rev = (number: number) => ({ fleet: "replay", number });
type Decision = { at: string; type: string; summary: string };
type Outcome = { status: string; decisions: Decision[] };

describe("policy replay over a recorded rollout, over HTTP", () => {
  let app: TestApp;
  let devices: RunningProcessor;
  const faults = new Map<string, SimOutcome>();

  beforeAll(async () => {
    app = await startTestApp();
    await postSimRevision(app.store, rev(1));
    await postSimRevision(app.store, rev(2));
    await fleetOf(app, "replay", "p", 10, rev(1));
    devices = sim(app.store, {
      name: "replay",
      outcome: (deviceId) => faults.get(deviceId) ?? { kind: "succeeded", status: "DONE" },
    });
  }, 60_000);

  afterAll(async () => {
    await devices?.stop();
    await app?.close();
  });

  it("a looser policy passes the canary that paused, a stricter one pauses earlier; nothing is written", async () => {
    const definition = {
      revision: rev(2),
      selector: { fleet: "replay" },
      waves: [
        { size: { count: 4 }, minSample: 1, soakSeconds: 0, maxFailures: { count: 1 } },
        { size: { percent: 100 }, minSample: 1, soakSeconds: 0, maxFailures: { percent: 10 } },
      ],
    };
    const plan = await callJson(app, "/v1/rollouts/plan", { method: "POST", json: definition });
    const canary = (plan.body.waves as { devices: { deviceId: string }[] }[])[0]?.devices ?? [];
    for (const d of canary.slice(0, 3))
      faults.set(d.deviceId, { kind: "failed", reason: "container_exited" });
    const id = String(
      (await callJson(app, "/v1/rollouts", { method: "POST", json: definition })).body.rolloutId,
    );
    await callJson(app, `/v1/rollouts/${id}/start`, { method: "POST" });
    await rolloutReaches(app, id, "paused");

    const before = await app.eventCount();
    const replay = async (policy: unknown) => {
      const res = await callJson(app, `/v1/rollouts/${id}/replay`, {
        method: "POST",
        json: policy,
      });
      expect(res.status).toBe(200);
      return res.body as unknown as { recorded: Outcome; replayed: Outcome };
    };
    const failedGate = (o: Outcome) => o.decisions.find((d) => d.type === "WaveGateFailed");

    const looser = await replay({ waves: [{ maxFailures: { count: 3 } }] });
    expect(looser.recorded.status).toBe("paused");
    expect(failedGate(looser.replayed)).toBeUndefined();
    // it passes as soon as its one good device succeeded, after however many failures came first
    expect(looser.replayed.decisions.map((d) => d.summary)).toContainEqual(
      expect.stringMatching(/^wave 0 gate passed: 1\/4 succeeded, [0-3] failure\(s\)$/),
    );
    expect(looser.replayed.decisions.map((d) => d.summary)).toContain("wave 1 started");

    const stricter = await replay({ waves: [{ maxFailures: { count: 0 } }] });
    const recordedGate = failedGate(stricter.recorded);
    const stricterGate = failedGate(stricter.replayed);
    expect(recordedGate?.summary).toBe("wave 0 gate failed: 2 failures exceed the cap of 1");
    expect(stricterGate?.summary).toBe("wave 0 gate failed: 1 failures exceed the cap of 0");
    expect(Date.parse(stricterGate?.at ?? "")).toBeLessThanOrEqual(
      Date.parse(recordedGate?.at ?? ""),
    );

    const bad = await callJson(app, `/v1/rollouts/${id}/replay`, {
      method: "POST",
      json: { waves: [{ minSample: -1 }] },
    });
    expect(bad.status).toBe(400);
    expect(
      (await callJson(app, "/v1/rollouts/nope/replay", { method: "POST", json: {} })).status,
    ).toBe(404);
    expect(await app.eventCount()).toBe(before);
  });
});
