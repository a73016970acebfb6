import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { PROMETHEUS_CONTENT_TYPE, parseFamilyTypes, parseSamples } from "@statecast/platform";
import { deviceEvent, enrolled } from "../devices/device-history.test-helper.js";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import { callJson, fleetOf, rolloutReaches } from "../rollout/rollout.test-helper.js";
import { postSimRevision, sim } from "../testing/rollout-sim/device-sim.test-helper.js";

const rev = { fleet: "main", number: 2 };

describe("orchestrator /metrics", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });

  afterAll(async () => {
    await app?.close();
  });

  async function scrape(): Promise<{ text: string; samples: Map<string, number> }> {
    const res = await app.call("/metrics", { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(PROMETHEUS_CONTENT_TYPE);
    const text = await res.text();
    return { text, samples: parseSamples(text) };
  }

  async function untilSample(series: string, expected: number): Promise<number | undefined> {
    let value: number | undefined;
    for (let i = 0; i < 200; i++) {
      value = (await scrape()).samples.get(series);
      if (value === expected) break;
      await sleep(25);
    }
    return value;
  }

  it("serves every family without a token, typed", async () => {
    const types = parseFamilyTypes((await scrape()).text);
    expect(Object.fromEntries(types)).toMatchObject({
      statecast_rollouts: "gauge",
      statecast_devices: "gauge",
      statecast_devices_online: "gauge",
      statecast_processor_lag_events: "gauge",
      statecast_objects_served_bytes_total: "counter",
      statecast_objects_uploaded_bytes_total: "counter",
      statecast_processor_partitions_held: "gauge",
      statecast_processor_events_handled_total: "counter",
      statecast_rollout_decisions_total: "counter",
      statecast_rollout_facts_total: "counter",
      process_resident_memory_bytes: "gauge",
      nodejs_eventloop_lag_seconds: "gauge",
      nodejs_heap_used_bytes: "gauge",
      http_request_duration_seconds: "histogram",
    });
    expect((await scrape()).samples.get("process_resident_memory_bytes")).toBeGreaterThan(0);
    // One replica, unpartitioned: it holds the one partition of the process manager.
    expect(
      await untilSample(
        'statecast_processor_partitions_held{processor="orchestrator.rollout-process-manager"}',
        1,
      ),
    ).toBe(1);
  });

  it("times every HTTP request by its route pattern", async () => {
    await app.call("/v1/devices/no-such-device", {});
    const { samples } = await scrape();
    const count = (route: string, status: string) =>
      samples.get(
        `http_request_duration_seconds_count{method="GET",route="${route}",status_code="${status}"}`,
      ) ?? 0;
    expect(count("/metrics", "200")).toBeGreaterThanOrEqual(1);
    expect(count("/v1/devices/:id", "404")).toBe(1);
  });

  it("moves devices by status as device events are projected", async () => {
    await deviceEvent(app.store, "m1", "DeviceEnrolled", enrolled("m1", "main", {}));
    await deviceEvent(app.store, "m2", "DeviceEnrolled", enrolled("m2", "main", {}));
    await deviceEvent(app.store, "m1", "DeviceCameOnline", { bootId: "b1" });
    expect(await untilSample('statecast_devices{status="unknown"}', 2)).toBe(2);
    expect(await untilSample("statecast_devices_online", 1)).toBe(1);

    const target = { revision: rev, digest: "d".repeat(64), seq: 1, rolloutId: "r1" };
    await deviceEvent(app.store, "m1", "TargetAssigned", target);
    await deviceEvent(app.store, "m1", "UpdateFailed", {
      revision: rev,
      reason: "container_exited",
      message: "exit 1",
    });
    expect(await untilSample('statecast_devices{status="ERROR"}', 1)).toBe(1);
    expect((await scrape()).samples.get('statecast_devices{status="unknown"}')).toBe(1);
  });

  it("counts devices by the revision they run, and the drifted ones (issue 14)", async () => {
    const drift = (number: number) => ({ fleet: "drift", number });
    await deviceEvent(app.store, "x1", "DeviceEnrolled", enrolled("x1", "drift", {}));
    const target = { revision: drift(1), digest: "d".repeat(64), seq: 1 };
    await deviceEvent(app.store, "x1", "TargetAssigned", target);
    await deviceEvent(app.store, "x1", "UpdateSucceeded", { revision: drift(1), status: "DONE" });
    expect(await untilSample('statecast_devices_by_revision{fleet="drift",revision="1"}', 1)).toBe(
      1,
    );
    const drifted = (await scrape()).samples.get("statecast_devices_drifted") ?? 0;
    await deviceEvent(app.store, "x1", "BundleInstallReported", {
      revision: drift(2),
      status: "DONE",
      message: "from a USB stick",
      reportedAt: new Date().toISOString(),
      report: { bootId: "usb", seq: 1 },
    });
    expect(await untilSample('statecast_devices_by_revision{fleet="drift",revision="2"}', 1)).toBe(
      1,
    );
    expect(
      (await scrape()).samples.has('statecast_devices_by_revision{fleet="drift",revision="1"}'),
    ).toBe(false);
    expect(await untilSample("statecast_devices_drifted", drifted + 1)).toBe(drifted + 1);
  });

  it("shows the projections catching up: no processor lags once the registry is current", async () => {
    const lags = [...(await scrape()).samples].filter(([series]) =>
      series.startsWith("statecast_processor_lag_events{"),
    );
    expect(lags.length).toBeGreaterThan(0);
    for (const [series] of lags) expect(await untilSample(series, 0)).toBe(0);
  });

  it("counts object bytes served", async () => {
    const body = Buffer.from("statecast object bytes ".repeat(100));
    const id = createHash("sha256").update(body).digest("hex");
    const put = await app.call(`/v1/objects/${id}`, {
      method: "PUT",
      body,
      headers: { "content-type": "application/octet-stream" },
    });
    expect(put.status).toBe(201);
    const before = (await scrape()).samples.get("statecast_objects_served_bytes_total") ?? 0;
    const got = await app.call(`/v1/objects/${id}`);
    expect((await got.arrayBuffer()).byteLength).toBe(body.length);
    const after = (await scrape()).samples;
    expect(after.get("statecast_objects_served_bytes_total")).toBe(before + body.length);
    expect(after.get("statecast_objects_uploaded_bytes_total")).toBe(body.length);
  });

  it("moves rollouts by state from created to completed", async () => {
    const fleet = (number: number) => ({ fleet: "metrics", number });
    await postSimRevision(app.store, fleet(1));
    await postSimRevision(app.store, fleet(2));
    await fleetOf(app, "metrics", "r", 4, fleet(1));
    const devices = sim(app.store, { name: "metrics" });
    try {
      const created = await callJson(app, "/v1/rollouts", {
        method: "POST",
        json: {
          revision: fleet(2),
          selector: { fleet: "metrics" },
          waves: [
            { size: { percent: 100 }, minSample: 1, soakSeconds: 0, maxFailures: { percent: 10 } },
          ],
        },
      });
      expect(created.status).toBe(201);
      const rolloutId = String(created.body.rolloutId);
      expect((await scrape()).samples.get('statecast_rollouts{state="created"}')).toBe(1);

      const started = await callJson(app, `/v1/rollouts/${rolloutId}/start`, {
        method: "POST",
        json: { reason: "metrics test" },
      });
      expect(started.status).toBe(200);
      await rolloutReaches(app, rolloutId, "completed");
      const { samples } = await scrape();
      expect(samples.get('statecast_rollouts{state="completed"}')).toBe(1);
      expect(samples.has('statecast_rollouts{state="created"}')).toBe(false);
    } finally {
      await devices.stop();
    }
  });
});
