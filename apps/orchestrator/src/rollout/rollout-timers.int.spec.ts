import type { RunningProcessor } from "@statecast/events";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import { postSimRevision, sim } from "../testing/rollout-sim/device-sim.test-helper.js";
import { callJson, fleetOf, rolloutReaches, until } from "./rollout.test-helper.js";

const rev = (number: number) => ({ fleet: "soak", number });

describe("rollout timers: soaks end through the durable timers table", () => {
  let app: TestApp;
  let devices: RunningProcessor;

  beforeAll(async () => {
    app = await startTestApp();
    await postSimRevision(app.store, rev(1));
    await postSimRevision(app.store, rev(2));
    await fleetOf(app, "soak", "s", 6, rev(1));
    devices = sim(app.store, { name: "timers" });
  }, 60_000);

  afterAll(async () => {
    await devices?.stop();
    await app?.close();
  });

  it("succeeds devices once their soak timer fires, and promote ends a soak early", async () => {
    const waves = [
      { size: { count: 3 }, minSample: 1, soakSeconds: 1, maxFailures: { count: 0 } },
      { size: { count: 3 }, minSample: 1, soakSeconds: 3600, maxFailures: { count: 0 } },
    ];
    const created = await callJson(app, "/v1/rollouts", {
      method: "POST",
      json: { revision: rev(2), selector: { fleet: "soak" }, waves },
    });
    const id = String(created.body.rolloutId);
    await callJson(app, `/v1/rollouts/${id}/start`, { method: "POST" });

    // Wave 0 soaks 1 s: its devices succeed only when the timers fire, then wave 1 starts.
    const soaking = await until("wave 1 devices soaking for an hour", async () => {
      const { body } = await callJson(app, `/v1/rollouts/${id}`);
      const wave = (body.waves as { status: string; counts: Record<string, number> }[])[1];
      return wave?.counts.soaking === 3 ? body : undefined;
    });
    const first = (soaking.waves as { status: string; counts: Record<string, number> }[])[0];
    expect(first).toMatchObject({
      status: "passed",
      counts: expect.objectContaining({ succeeded: 3 }),
    });
    const { events } = await app.store.readStream(`rollout:${id}`);
    const soaked = events.filter(
      (e) => e.type === "RolloutDeviceSucceeded" && (e.data as { via: string }).via === "soaked",
    );
    expect(soaked).toHaveLength(3);
    expect(soaked.every((e) => e.metadata.actor === "system:rollout-process-manager")).toBe(true);

    const { rows } = await app.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM rollout_timers WHERE rollout_id = $1 AND due_at > now() + interval '50 minutes'",
      [id],
    );
    expect(rows[0]?.n).toBe(3);

    const promoted = await callJson(app, `/v1/rollouts/${id}/promote`, {
      method: "POST",
      json: { reason: "looks good" },
    });
    expect(promoted.status).toBe(200);
    await rolloutReaches(app, id, "completed");
  });
});
