import type { RunningProcessor } from "@statecast/events";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import {
  enrollSimDevices,
  postSimRevision,
  sim,
} from "../testing/rollout-sim/device-sim.test-helper.js";
import {
  callJson,
  currentRevisions,
  fleetOf,
  type Json,
  rolloutReaches,
  until,
} from "./rollout.test-helper.js";

const rev = (number: number) => ({ fleet: "main", number });
const threeWaves = [10, 30, 60].map((percent) => ({
  size: { percent },
  minSample: 3,
  soakSeconds: 0,
  maxFailures: { percent: 10 },
}));
const definition = { revision: rev(2), selector: { fleet: "main" }, waves: threeWaves };

describe("rollouts over HTTP: 300 devices in 3 waves, rollback, time travel", () => {
  let app: TestApp;
  let devices: RunningProcessor;
  let ids: string[];
  let rolloutId: string;
  let beforeStart: string;
  let afterCompletion: string;

  /** The device registry (a projection) catches up shortly after the rollout's last event. */
  const devicesOn = (number: number) =>
    until(`all 300 devices on revision ${number}`, async () => {
      const revisions = await currentRevisions(app, ids);
      return [...revisions.values()].every((n) => n === number) ? true : undefined;
    });

  beforeAll(async () => {
    app = await startTestApp();
    await postSimRevision(app.store, rev(1));
    await postSimRevision(app.store, rev(2));
    ids = await fleetOf(app, "main", "m", 300, rev(1));
    devices = sim(app.store, { name: "lifecycle" });
  }, 60_000);

  afterAll(async () => {
    await devices?.stop();
    await app?.close();
  });

  it("plans the waves without writing anything", async () => {
    const before = await app.eventCount();
    const { status, body } = await callJson(app, "/v1/rollouts/plan", {
      method: "POST",
      json: definition,
    });
    expect(status).toBe(200);
    expect(body.devices).toBe(300);
    const sizes = (body.waves as { devices: unknown[] }[]).map((w) => w.devices.length);
    expect(sizes).toEqual([30, 90, 180]);
    expect(await app.eventCount()).toBe(before);
    const { rows } = await app.pool.query("SELECT count(*)::int AS n FROM rollouts");
    expect(rows[0].n).toBe(0);
  });

  it("completes a 3-wave rollout over 300 devices, each device on the new revision", async () => {
    const created = await callJson(app, "/v1/rollouts", { method: "POST", json: definition });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe("created");
    rolloutId = String(created.body.rolloutId);
    beforeStart = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 10));

    const started = await callJson(app, `/v1/rollouts/${rolloutId}/start`, {
      method: "POST",
      json: { reason: "ship it" },
    });
    expect(started.status).toBe(200);
    const done = await rolloutReaches(app, rolloutId, "completed");
    afterCompletion = new Date().toISOString();
    const waves = done.waves as (Json & { counts: Record<string, number>; gate: Json })[];
    expect(waves.map((w) => w.status)).toEqual(["passed", "passed", "passed"]);
    expect(waves.map((w) => w.counts.succeeded)).toEqual([30, 90, 180]);
    expect(waves.every((w) => w.gate.state === "passed")).toBe(true);
    expect(done.etaSeconds).toBe(0);
    await devicesOn(2);

    const { body: why } = await callJson(app, `/v1/rollouts/${rolloutId}/devices/m-0007/why`);
    expect(why.reason).toBe("updated");
    const started0 = await app.store.readStream(`rollout:${rolloutId}`);
    expect(started0.events.filter((e) => e.type === "WaveTargetsAssigned")).toHaveLength(3);
  });

  it("records each target with the revision, digest, rollout, wave and a per-device seq", async () => {
    const { events } = await app.store.readStream("device:m-0001");
    const target = events.find((e) => e.type === "TargetAssigned");
    expect(target?.data).toMatchObject({
      revision: rev(2),
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      rolloutId,
      waveIndex: expect.any(Number),
      seq: 1,
    });
    expect(target?.metadata.actor).toMatch(/^operator:|^system:/);
  });

  it("answers ?at= with the rollout as it stood then", async () => {
    const then = await callJson(
      app,
      `/v1/rollouts/${rolloutId}?at=${encodeURIComponent(beforeStart)}`,
    );
    expect(then.status).toBe(200);
    expect(then.body.status).toBe("created");
    expect(then.body.waves).toEqual([]);
    const later = await callJson(
      app,
      `/v1/rollouts/${rolloutId}?at=${encodeURIComponent(afterCompletion)}`,
    );
    expect(later.body.status).toBe("completed");
    const early = await callJson(app, `/v1/rollouts/${rolloutId}?at=2000-01-01T00:00:00Z`);
    expect(early.status).toBe(404);
  });

  it("rolls back: a new staged rollout returns every updated device to its previous revision", async () => {
    const { status, body } = await callJson(app, `/v1/rollouts/${rolloutId}/rollback`, {
      method: "POST",
      json: { reason: "bad build" },
    });
    expect(status).toBe(200);
    expect(body.status).toBe("rolled_back");
    const back = `${rolloutId}-rollback-1`;
    const done = await rolloutReaches(app, back, "completed");
    expect(done.rollbackOf).toBe(rolloutId);
    expect(done.revision).toEqual(rev(1));
    await devicesOn(1);
    const record = await callJson(app, "/v1/devices/m-0042");
    expect(record.body.currentRevision).toEqual(rev(1));

    const list = await callJson(app, "/v1/rollouts");
    const rows = list.body as unknown as { rolloutId: string; status: string }[];
    expect(rows.map((r) => [r.rolloutId, r.status])).toEqual([
      [rolloutId, "rolled_back"],
      [back, "completed"],
    ]);
    const stream = await app.store.readStream(`rollout:${rolloutId}`);
    const rollback = stream.events.find((e) => e.type === "RolloutRollbackStarted");
    expect(rollback?.metadata.actor).toBe("operator:admin");
    expect(rollback?.data).toMatchObject({ reason: "bad build" });
  });

  it("refuses controls that make no sense in the rollout's state with 409", async () => {
    const { status, body } = await callJson(app, `/v1/rollouts/${rolloutId}/pause`, {
      method: "POST",
    });
    expect(status).toBe(409);
    expect(String(body.message)).toMatch(/rolled back/);
    expect((await callJson(app, "/v1/rollouts/nope/start", { method: "POST" })).status).toBe(404);
  });

  it("selects every device enrolled before the request, however far behind the registry is", async () => {
    const late = { fleet: "late", number: 1 };
    const plan = async () => {
      const wave = { ...threeWaves[0], size: { percent: 100 } };
      const json = { revision: late, selector: { fleet: "late" }, waves: [wave] };
      const { status, body } = await callJson(app, "/v1/rollouts/plan", { method: "POST", json });
      expect(status).toBe(200);
      return body.devices;
    };
    await postSimRevision(app.store, late);
    await fleetOf(app, "late", "late", 3, late);
    // Hold the registry's writes (reads go on): the projection cannot fold the fourth device's
    // enrolment until the lock goes, so a plan that did not wait for it would count three.
    const holder = await app.pool.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE device_registry IN SHARE MODE");
      await enrollSimDevices(app.store, [{ deviceId: "late-0003", fleet: "late" }], late);
      const planned = plan();
      await new Promise((resolve) => setTimeout(resolve, 300));
      await holder.query("COMMIT");
      expect(await planned).toBe(4);
    } finally {
      holder.release();
    }
  });

  it("keeps a paced rollout (maxInFlight) to its slots through the process manager", async () => {
    const paced = (number: number) => ({ fleet: "paced", number });
    await postSimRevision(app.store, paced(1));
    await postSimRevision(app.store, paced(2));
    const ids = await fleetOf(app, "paced", "p", 40, paced(1));
    const json = {
      revision: paced(2),
      selector: { fleet: "paced" },
      waves: threeWaves,
      maxInFlight: 4,
    };
    const created = await callJson(app, "/v1/rollouts", { method: "POST", json });
    expect(created.status).toBe(201);
    const id = String(created.body.rolloutId);
    expect((await callJson(app, `/v1/rollouts/${id}/start`, { method: "POST" })).status).toBe(200);
    await rolloutReaches(app, id, "completed");
    // Devices assigned and not yet finished, after each event of the rollout's stream.
    const { events } = await app.store.readStream(`rollout:${id}`);
    const updating = new Set<string>();
    let most = 0;
    let assignments = 0;
    for (const event of events) {
      const data = event.data as { deviceIds?: string[]; deviceId?: string };
      if (event.type === "WaveTargetsAssigned") {
        assignments++;
        for (const deviceId of data.deviceIds ?? []) updating.add(deviceId);
      }
      if (/^RolloutDevice(Updated|Succeeded|Failed|Rejected)$/.test(event.type))
        updating.delete(data.deviceId ?? "");
      most = Math.max(most, updating.size);
    }
    expect(most).toBe(4);
    expect(assignments).toBeGreaterThan(3); // topped up as devices finished, not once a wave
    await until("the paced fleet on revision 2", async () => {
      const revisions = await currentRevisions(app, ids);
      return [...revisions.values()].every((n) => n === 2) ? true : undefined;
    });
    // The view's slots empty once the late finishers of the last wave are in.
    await until("no paced device updating", async () => {
      const { body } = await callJson(app, `/v1/rollouts/${id}`);
      const pace = body.pace as { maxInFlight: number; inFlight: number } | undefined;
      expect(pace?.maxInFlight).toBe(4);
      return pace?.inFlight === 0 ? true : undefined;
    });
  });
});
