import type { RunningProcessor } from "@statecast/events";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import type { SimOutcome } from "../testing/rollout-sim/device-sim.test-helper.js";
import { postSimRevision, sim } from "../testing/rollout-sim/device-sim.test-helper.js";
import { callJson, fleetOf, type Json, rolloutReaches, until } from "./rollout.test-helper.js";

const rev = (fleet: string, number: number) => ({ fleet, number });
const canaryFirst = [
  { size: { count: 10 }, minSample: 5, soakSeconds: 0, maxFailures: { count: 2 } },
  { size: { percent: 40 }, minSample: 5, soakSeconds: 0, maxFailures: { percent: 10 } },
  { size: { percent: 50 }, minSample: 5, soakSeconds: 0, maxFailures: { percent: 10 } },
];

describe("rollout gates and operator controls over HTTP", () => {
  let app: TestApp;
  let devices: RunningProcessor;
  /** Injected faults: device id → its final report; devices of fleet `edge` never answer. */
  const faults = new Map<string, SimOutcome>();

  beforeAll(async () => {
    app = await startTestApp();
    for (const fleet of ["canary", "edge"]) {
      await postSimRevision(app.store, rev(fleet, 1));
      await postSimRevision(app.store, rev(fleet, 2));
    }
    await fleetOf(app, "canary", "c", 100, rev("canary", 1));
    await fleetOf(app, "edge", "e", 12, rev("edge", 1));
    devices = sim(app.store, {
      name: "gates",
      outcome: (deviceId) =>
        deviceId.startsWith("e-")
          ? "silent"
          : (faults.get(deviceId) ?? { kind: "succeeded", status: "DONE" }),
    });
  }, 60_000);

  afterAll(async () => {
    await devices?.stop();
    await app?.close();
  });

  it("pauses on a failing canary, names each failed device's reason, and completes after resume", async () => {
    const definition = {
      revision: rev("canary", 2),
      selector: { fleet: "canary" },
      waves: canaryFirst,
    };
    const plan = await callJson(app, "/v1/rollouts/plan", { method: "POST", json: definition });
    const canary = (plan.body.waves as { devices: { deviceId: string }[] }[])[0]?.devices ?? [];
    const [a, b, c] = canary.map((d) => d.deviceId);
    if (!a || !b || !c) throw new Error("the canary wave has fewer than 3 devices");
    faults.set(a, { kind: "failed", reason: "container_exited" });
    faults.set(b, { kind: "failed", reason: "status_goal_timeout" });
    faults.set(c, { kind: "rejected", reason: "no_space" });

    const created = await callJson(app, "/v1/rollouts", { method: "POST", json: definition });
    const id = String(created.body.rolloutId);
    expect((await callJson(app, `/v1/rollouts/${id}/start`, { method: "POST" })).status).toBe(200);
    const paused = await rolloutReaches(app, id, "paused");
    const waves = paused.waves as (Json & { gate: Json })[];
    expect(waves.map((w) => w.status)).toEqual(["failed", "pending", "pending"]);
    expect(waves[0]?.gate).toMatchObject({ state: "failed", failures: 3 });

    const why = async (deviceId: string) =>
      (await callJson(app, `/v1/rollouts/${id}/devices/${deviceId}/why`)).body.reason;
    expect(await why(a)).toBe("failed:container_exited");
    expect(await why(b)).toBe("failed:status_goal_timeout");
    expect(await why(c)).toBe("rejected:no_space");
    const waiting = (plan.body.waves as { devices: { deviceId: string }[] }[])[2]?.devices[0];
    expect(await why(String(waiting?.deviceId))).toBe("paused");
    expect((await callJson(app, `/v1/rollouts/${id}/devices/nobody/why`)).status).toBe(404);

    const resumed = await callJson(app, `/v1/rollouts/${id}/resume`, {
      method: "POST",
      json: { reason: "known flaky boards" },
    });
    expect(resumed.status).toBe(200);
    const done = await rolloutReaches(app, id, "completed");
    const counts = (done.waves as { counts: Record<string, number> }[]).map((w) => w.counts);
    expect(counts.map((k) => k.succeeded)).toEqual([7, 40, 50]);
    const { events } = await app.store.readStream(`rollout:${id}`);
    const resume = events.find((e) => e.type === "RolloutResumed");
    expect(resume?.data).toMatchObject({ actor: "operator:admin", reason: "known flaky boards" });
  });

  it("refuses a second rollout over devices another active rollout holds, naming it (409)", async () => {
    const definition = {
      revision: rev("edge", 2),
      selector: { fleet: "edge" },
      waves: [{ size: { percent: 100 }, minSample: 1, soakSeconds: 0, maxFailures: { count: 0 } }],
    };
    const first = await callJson(app, "/v1/rollouts", { method: "POST", json: definition });
    const id = String(first.body.rolloutId);
    await callJson(app, `/v1/rollouts/${id}/start`, { method: "POST" });
    const second = await callJson(app, "/v1/rollouts", { method: "POST", json: definition });
    expect(second.status).toBe(409);
    expect(String(second.body.message)).toContain(`rollout ${id} already holds 12 device(s)`);

    // Silent devices keep it running: abort cancels what they have not started.
    const aborted = await callJson(app, `/v1/rollouts/${id}/abort`, { method: "POST" });
    expect(aborted.status).toBe(200);
    expect(aborted.body.status).toBe("aborted");
    const cancelled = await until("targets cancelled on the device streams", async () => {
      const { rows } = await app.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM events WHERE type = 'TargetCancelled' AND stream_id LIKE 'device:e-%'",
      );
      return (rows[0]?.n ?? 0) > 0 ? rows[0]?.n : undefined;
    });
    expect(cancelled).toBe(12);
    expect((await callJson(app, `/v1/rollouts/${id}/resume`, { method: "POST" })).status).toBe(409);
    const again = await callJson(app, "/v1/rollouts", { method: "POST", json: definition });
    expect(again.status).toBe(201);
  });

  it("names each problem of an invalid definition (400) and writes nothing", async () => {
    const before = await app.eventCount();
    const shape = await callJson(app, "/v1/rollouts", {
      method: "POST",
      json: { revision: { fleet: "canary", number: "two" }, selector: {}, waves: [{ size: {} }] },
    });
    expect(shape.status).toBe(400);
    const paths = (shape.body.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["revision.number", "waves.0.minSample"]));

    const rules = await callJson(app, "/v1/rollouts", {
      method: "POST",
      json: {
        revision: rev("canary", 9),
        selector: {},
        waves: [{ size: { percent: 50 }, minSample: 1, soakSeconds: 0, maxFailures: { count: 0 } }],
      },
    });
    expect(rules.status).toBe(400);
    const messages = (rules.body.details as { path: string; message: string }[]).map(
      (d) => `${d.path} ${d.message}`,
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        "revision revision canary#9 does not exist",
        "selector is empty: give device ids, tags or a fleet",
      ]),
    );
    const unknown = await callJson(app, "/v1/rollouts/plan", {
      method: "POST",
      json: {
        revision: rev("canary", 2),
        selector: { ids: ["c-0001", "ghost-1"] },
        waves: [
          { size: { percent: 100 }, minSample: 1, soakSeconds: 0, maxFailures: { count: 0 } },
        ],
      },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toEqual([
      { path: "selector.ids", message: "names 1 unknown device(s): ghost-1" },
    ]);
    expect(await app.eventCount()).toBe(before);
  });

  it("lets a viewer read but not act, and documents every route in OpenAPI", async () => {
    const token = await callJson(app, "/v1/tokens", {
      method: "POST",
      json: { name: "watcher", role: "viewer" },
    });
    expect(token.status).toBe(201);
    const secret = String(token.body.secret);
    const viewer = (path: string, method = "GET") => app.call(path, { method, token: secret });
    expect((await viewer("/v1/rollouts")).status).toBe(200);
    expect((await viewer("/v1/rollouts", "POST")).status).toBe(403);
    expect((await viewer("/v1/rollouts/plan", "POST")).status).toBe(403);

    const docs = await callJson(app, "/docs-json");
    const paths = Object.keys(docs.body.paths as Record<string, unknown>);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/v1/rollouts",
        "/v1/rollouts/plan",
        "/v1/rollouts/{id}",
        "/v1/rollouts/{id}/start",
        "/v1/rollouts/{id}/pause",
        "/v1/rollouts/{id}/resume",
        "/v1/rollouts/{id}/promote",
        "/v1/rollouts/{id}/abort",
        "/v1/rollouts/{id}/rollback",
        "/v1/rollouts/{id}/devices/{deviceId}/why",
      ]),
    );
  });
});
