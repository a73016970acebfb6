import type { RunningProcessor } from "@statecast/events";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import { reportDevice } from "../testing/rollout-sim/device-commands.test-helper.js";
import { postSimRevision, sim } from "../testing/rollout-sim/device-sim.test-helper.js";
import {
  callJson,
  currentRevisions,
  fleetOf,
  rolloutReaches,
  until,
} from "./rollout.test-helper.js";

const rev = (number: number) => ({ fleet: "late", number });
const LATE = new Set(["l-0003", "l-0011"]);

// A wave tolerating two failures passes with two devices still updating; they finish after the
// rollout completed, and must still count — a rollback has to return them too.
describe("devices that finish after their rollout completed", () => {
  let app: TestApp;
  let devices: RunningProcessor;
  let ids: string[];

  beforeAll(async () => {
    app = await startTestApp();
    await postSimRevision(app.store, rev(1));
    await postSimRevision(app.store, rev(2));
    ids = await fleetOf(app, "late", "l", 20, rev(1));
    devices = sim(app.store, {
      name: "late",
      outcome: (deviceId, target) =>
        target.revision.number === 2 && LATE.has(deviceId)
          ? "silent"
          : { kind: "succeeded", status: "DONE" },
    });
  }, 60_000);

  afterAll(async () => {
    await devices?.stop();
    await app?.close();
  });

  it("counts their late success and rolls them back with the others", async () => {
    const wave = {
      size: { percent: 100 },
      minSample: 1,
      soakSeconds: 0,
      maxFailures: { count: 2 },
    };
    const definition = { revision: rev(2), selector: { fleet: "late" }, waves: [wave] };
    const created = await callJson(app, "/v1/rollouts", { method: "POST", json: definition });
    const rolloutId = String(created.body.rolloutId);
    await callJson(app, `/v1/rollouts/${rolloutId}/start`, { method: "POST", json: {} });
    const done = await rolloutReaches(app, rolloutId, "completed");
    expect((done.waves as { counts: Record<string, number> }[])[0]?.counts.succeeded).toBe(18);

    for (const deviceId of LATE) {
      const { events } = await app.store.readStream(`device:${deviceId}`);
      const target = events.findLast((e) => e.type === "TargetAssigned");
      if (!target) throw new Error(`${deviceId} was never targeted`);
      const seq = (target.data as { seq: number }).seq;
      await reportDevice(app.store, deviceId, seq, { kind: "succeeded", status: "DONE" });
    }
    await until("the late successes counted", async () => {
      const { body } = await callJson(app, `/v1/rollouts/${rolloutId}`);
      const counts = (body.waves as { counts: Record<string, number> }[])[0]?.counts;
      return counts?.succeeded === 20 ? true : undefined;
    });

    const rollback = await callJson(app, `/v1/rollouts/${rolloutId}/rollback`, {
      method: "POST",
      json: { reason: "bad build" },
    });
    expect(rollback.status).toBe(200);
    await rolloutReaches(app, `${rolloutId}-rollback-1`, "completed");
    await until("every device back on revision 1", async () => {
      const revisions = await currentRevisions(app, ids);
      return [...revisions.values()].every((n) => n === 1) ? true : undefined;
    });
  });
});
