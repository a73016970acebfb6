import { randomUUID } from "node:crypto";
import { connect } from "@nats-io/transport-node";
import { deviceConnectionOptions } from "@statecast/nats-auth";
import { parseSamples } from "@statecast/platform";
import { remoteCli } from "../../apps/cli/src/remote/remote.test-helper.js";
import { serverEvents } from "../../apps/cli/src/remote/sse.js";
import {
  allOnRevision,
  type FleetSystem,
  type Json,
  rolloutReaches,
  startFleet,
  startRollout,
  until,
} from "./fleet.test-helper.js";
import type { FleetAgent } from "./fleet-agents.test-helper.js";
import { ADMIN_TOKEN } from "./services.test-helper.js";

const DEVICE = "lxc-metrics-0";
const BASE = { name: "base", init: "exec /bin/sleep 1000000" };
const APP = { name: "app", init: "exec /bin/sleep 1000000" };

type Metrics = Json & {
  freshness: string;
  ageSeconds: number;
  report: Json & { containers: Json[] };
};

/**
 * Device metrics and live log follows over real services and a real LXC agent (issue 14): the
 * agent's /proc and statfs readings reach `GET /v1/devices/:id`, `statecast devices show` and
 * the fleet gauges; a spoofed or malformed message is dropped and counted; a log follow (SSE)
 * gets a line written after it began and releases its subscription when the client goes away.
 */
describe("device metrics and live logs", () => {
  let system: FleetSystem;
  let revision: number;
  const agent = () => system.agents[0] as FleetAgent;

  beforeAll(async () => {
    system = await startFleet(
      [{ deviceId: DEVICE, fleet: "mx", runtime: "lxc", connection: { metricsIntervalMs: 5000 } }],
      { env: { STATECAST_LOGS_FOLLOW_MAX_PER_TOKEN: "2", STATECAST_LOGS_FOLLOW_MAX_SECONDS: "6" } },
    );
    revision = await system.postRevision("mx", [BASE, APP], "metrics");
    const id = await startRollout(system, {
      revision: { fleet: "mx", number: revision },
      selector: { fleet: "mx" },
      waves: [{ size: { percent: 100 }, minSample: 1, soakSeconds: 0, maxFailures: { count: 0 } }],
    });
    await rolloutReaches(system, id, "completed", 60_000);
    await allOnRevision(system, [DEVICE], revision);
  }, 120_000);
  afterAll(async () => {
    await system?.close();
  });

  const scrape = async (url: string) => parseSamples(await (await fetch(`${url}/metrics`)).text());

  it("shows the device's metrics with their age, in the API, the CLI and the gauges", async () => {
    const metrics = await until("metrics naming the committed revision's containers", async () => {
      const { body } = await system.api(`/v1/devices/${DEVICE}`);
      const m = body.metrics as Metrics;
      const app = m?.report?.containers.find((c) => c.part === "app");
      return m?.freshness === "fresh" && app?.state === "RUNNING" ? m : undefined;
    });
    expect(metrics.ageSeconds).toBeLessThan(15);
    expect(metrics.report).toMatchObject({
      kind: "metrics",
      v: 1,
      deviceId: DEVICE,
      runtime: "lxc",
      revision: `mx#${revision}`,
      intervalSeconds: 5,
    });
    const report = metrics.report as Json & Record<string, Json>;
    expect(report.uptimeSeconds).toBeGreaterThan(0);
    expect(report.cpu?.cores).toBeGreaterThanOrEqual(1);
    expect(report.memory?.totalBytes).toBeGreaterThan(0);
    expect(report.disk?.freeBytes).toBeGreaterThan(0);
    expect(metrics.report.containers.map((c) => [c.part, c.state, c.restarts])).toEqual([
      ["app", "RUNNING", 0],
      ["base", "RUNNING", 0],
    ]);
    // Time travel shows the record as it was; metrics are presence, not history.
    const past = await system.api(`/v1/devices/${DEVICE}?at=${new Date().toISOString()}`);
    expect(past.body.metrics).toBeUndefined();

    const cli = await remoteCli();
    await cli.sc(["login", system.services.orchestrator.url, "--token", ADMIN_TOKEN]);
    const shown = await cli.sc(["devices", "show", DEVICE]);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toMatch(/^metrics {4}last seen \d+ s ago$/m);
    expect(shown.out).toMatch(/^uptime {5}\S+/m);
    expect(shown.out).toMatch(/^cpu {8}[\d.]+ % of \d+ cores/m);
    expect(shown.out).toMatch(/^disk free {2}[\d.]+ \S+ of /m);
    expect(shown.out).toMatch(
      /^containers app RUNNING, 0 restarts\n {11}base RUNNING, 0 restarts$/m,
    );

    const fleet = await scrape(system.services.orchestrator.url);
    expect(fleet.get("statecast_devices_online")).toBe(1);
    expect(fleet.get(`statecast_devices_by_revision{fleet="mx",revision="${revision}"}`)).toBe(1);
    expect(fleet.get('statecast_devices{status="DONE"}')).toBe(1);
    const gateway = await scrape(system.services.gateway.url);
    expect(gateway.get("statecast_gateway_device_metrics_stored_total")).toBeGreaterThan(0);
  }, 60_000);

  it("drops a spoofed or malformed message from the device and counts it", async () => {
    const nc = await connect({
      servers: system.services.nats.url,
      ...deviceConnectionOptions(agent().creds, DEVICE),
    });
    try {
      const { body } = await system.api(`/v1/devices/${DEVICE}`);
      const genuine = (body.metrics as Metrics).report;
      nc.publish(`sc.dev.${DEVICE}.metrics`, JSON.stringify({ ...genuine, deviceId: "other-1" }));
      nc.publish(`sc.dev.${DEVICE}.metrics`, JSON.stringify({ ...genuine, cpu: { percent: 900 } }));
      await nc.flush();
    } finally {
      await nc.close();
    }
    const gateway = await until("both drops counted", async () => {
      const samples = await scrape(system.services.gateway.url);
      const spoofed = samples.get(
        'statecast_gateway_device_metrics_dropped_total{reason="spoofed"}',
      );
      const bad = samples.get('statecast_gateway_device_metrics_dropped_total{reason="malformed"}');
      return spoofed === 1 && bad === 1 ? samples : undefined;
    });
    expect(gateway.get("statecast_gateway_device_metrics_stored_total")).toBeGreaterThan(0);
    const { body } = await system.api(`/v1/devices/${DEVICE}`);
    expect((body.metrics as Metrics).report).toMatchObject({ deviceId: DEVICE });
    expect((body.metrics as Metrics).report.cpu).not.toEqual({ percent: 900 });
  }, 30_000);

  it("follows the agent's log over SSE: a later line arrives, a disconnect releases it", async () => {
    const asked = async () => {
      const { body } = await system.api(`/v1/events?device=${DEVICE}&type=DeviceLogsRequested`);
      return (body.items as Json[]).length;
    };
    // Without follow: one JSON answer, as before.
    const once = await system.api(`/v1/devices/${DEVICE}/logs`);
    expect(once.status).toBe(200);
    expect(once.body).toMatchObject({ deviceId: DEVICE, part: "agent" });
    expect(String(once.body.text)).toMatch(/"msg":"booted"/);
    const before = await asked();
    const client = new AbortController();
    const response = await fetch(
      `${system.services.orchestrator.url}/v1/devices/${DEVICE}/logs?follow=true`,
      { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, signal: client.signal },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    let received = "";
    const reading = (async () => {
      for await (const { event, data } of serverEvents(response.body!)) {
        if (event === "log") received += (JSON.parse(data) as { text: string }).text;
      }
    })().catch(() => undefined);
    await until("the snapshot", async () =>
      received.includes('"msg":"booted"') ? true : undefined,
    );
    expect(agent().logFollows).toBe(1);
    const marker = `written after the follow began ${randomUUID()}`;
    agent().agent.log.info(marker);
    await until("the new line", async () => (received.includes(marker) ? true : undefined), 10_000);
    const orchestrator = system.services.orchestrator.url;
    expect((await scrape(orchestrator)).get("statecast_device_log_follows")).toBe(1);

    // A second is allowed, a third for the same token is refused with a reason.
    const second = new AbortController();
    const other = await fetch(`${orchestrator}/v1/devices/${DEVICE}/logs`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: "text/event-stream" },
      signal: second.signal,
    });
    expect(other.status).toBe(200);
    const third = await system.api(`/v1/devices/${DEVICE}/logs?follow=true`);
    expect(third.status).toBe(409);
    expect(String(third.body.message)).toMatch(/at most 2/);
    second.abort();

    client.abort();
    await reading;
    await until("the follows released", async () => {
      const open = (await scrape(orchestrator)).get("statecast_device_log_follows");
      return open === 0 && agent().logFollows === 0 ? true : undefined;
    });
    // One event per follow, however many lines it carried (the refused one is none).
    expect((await asked()) - before).toBe(2);
  }, 60_000);

  it("statecast logs -f prints new lines until the follow's time bound ends it", async () => {
    const cli = await remoteCli();
    await cli.sc(["login", system.services.orchestrator.url, "--token", ADMIN_TOKEN]);
    const marker = `followed by the CLI ${randomUUID()}`;
    const following = cli.sc(["logs", DEVICE, "-f"]);
    await until("the CLI's follow", async () => (agent().logFollows === 1 ? true : undefined));
    agent().agent.log.info(marker);
    const { code, out, err } = await following;
    expect(code, err).toBe(0);
    expect(out).toContain(marker);
    expect(err).toContain("the follow ended (expired)");
    await until("the device told to stop", async () =>
      agent().logFollows === 0 ? true : undefined,
    );
  }, 30_000);

  it("refuses to follow an offline device's log with a clear 422, holding nothing", async () => {
    await agent().disconnect();
    const res = await system.api(`/v1/devices/${DEVICE}/logs?follow=true`);
    expect(res.status).toBe(422);
    expect(String(res.body.message)).toMatch(/did not answer within 6 s \(offline\?\)/);
    const open = await scrape(system.services.orchestrator.url);
    expect(open.get("statecast_device_log_follows")).toBe(0);
  }, 30_000);
});
