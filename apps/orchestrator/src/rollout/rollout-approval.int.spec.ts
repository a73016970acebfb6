import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import { callJson, rolloutReaches, until } from "./rollout.test-helper.js";
import { enrollSimDevices, postSimRevision, sim } from "./sim/device-sim.js";

const rev = (number: number) => ({ fleet: "main", number });
const wave = (percent: number) => ({
  size: { percent },
  minSample: 1,
  soakSeconds: 0,
  maxFailures: { percent: 50 },
});

/** Pending devices (hello'd with the shared enrollment creds, never approved) hold no wave. */
describe("rollouts select only approved devices", () => {
  let app: TestApp;
  let devices: { stop(): Promise<void> } | undefined;
  const approved = ["a-0", "a-1", "a-2", "a-3"];
  const pending = ["p-0", "p-1"];

  beforeAll(async () => {
    app = await startTestApp();
    await postSimRevision(app.store, rev(1));
    await postSimRevision(app.store, rev(2));
    await enrollSimDevices(
      app.store,
      [
        ...approved.map((deviceId) => ({ deviceId, fleet: "main" })),
        ...pending.map((deviceId) => ({
          deviceId,
          fleet: "main",
          enrolledWith: "approval" as const,
        })),
      ],
      rev(1),
    );
    await until("6 devices in the registry", async () => {
      const { rows } = await app.pool.query("SELECT count(*)::int AS n FROM device_registry");
      return rows[0].n === 6 ? true : undefined;
    });
    devices = sim(app.store, { name: "approval" });
  }, 60_000);

  afterAll(async () => {
    await devices?.stop();
    await app?.close();
  });

  const targeted = async (deviceId: string) => {
    const { rows } = await app.pool.query(
      "SELECT count(*)::int AS n FROM events WHERE stream_id = $1 AND type = 'TargetAssigned'",
      [`device:${deviceId}`],
    );
    return rows[0].n as number;
  };

  it("plans and runs waves over approved devices only; a device approved mid-rollout joins", async () => {
    const definition = {
      revision: rev(2),
      selector: { fleet: "main" },
      waves: [wave(50), wave(50)],
      policy: { onSuccess: "pause" },
    };
    const plan = await callJson(app, "/v1/rollouts/plan", { method: "POST", json: definition });
    expect(plan.status).toBe(200);
    expect(plan.body.devices).toBe(approved.length);

    const created = await callJson(app, "/v1/rollouts", { method: "POST", json: definition });
    const id = String(created.body.rolloutId);
    await callJson(app, `/v1/rollouts/${id}/start`, { method: "POST", json: {} });
    await rolloutReaches(app, id, "paused"); // first wave passed, manual gate

    const approval = await app.call(`/v1/devices/${pending[0]}/approve`, { method: "POST" });
    expect(approval.status).toBe(200);
    const promoted = await callJson(app, `/v1/rollouts/${id}/promote`, {
      method: "POST",
      json: {},
    });
    expect(promoted.status).toBe(200);
    await until("the approved device targeted", async () =>
      (await targeted(pending[0] as string)) > 0 ? true : undefined,
    );
    await rolloutReaches(app, id, "completed");
    expect(await targeted(pending[1] as string)).toBe(0);
  }, 60_000);
});
