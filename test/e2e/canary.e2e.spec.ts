import {
  allOnRevision,
  type FleetSystem,
  type Json,
  rolloutReaches,
  sims,
  startFleet,
  startRollout,
} from "./fleet.test-helper.js";
import type { FleetAgent } from "./fleet-agents.test-helper.js";

const BASE = { name: "base", init: "exec /bin/sleep 1000000" };
const APP = { name: "app", init: "exec /bin/sleep 1000000" };
const gate = { minSample: 5, soakSeconds: 0 };
const canaryFirst = [
  { size: { count: 10 }, ...gate, maxFailures: { count: 2 } },
  { size: { percent: 50 }, ...gate, maxFailures: { percent: 10 } },
  { size: { percent: 50 }, ...gate, maxFailures: { percent: 10 } },
];

type Event = Json & {
  type: string;
  streamId: string;
  eventId: string;
  data: Json;
  metadata: { actor: string; correlationId: string; causationId: string };
};

async function events(system: FleetSystem, query: string): Promise<Event[]> {
  const { status, body } = await system.api(`/v1/events?${query}&limit=1000`);
  expect(status).toBe(200);
  return body.items as Event[];
}

/**
 * The audit API links operator command → targets (one correlation id, one causation) and device
 * reports → the gate decision (its causation is a canary device's event recorded after the start,
 * with that report's correlation id).
 */
async function expectCausalChain(
  system: FleetSystem,
  id: string,
  canary: string[],
  faulty: string[],
  rev: number,
) {
  const command = await events(system, "correlationId=e2e-canary-start");
  const started = command.find((e) => e.type === "RolloutStarted");
  expect(started?.metadata.actor).toBe("operator:admin");
  const targets = command.filter((e) => e.type === "TargetAssigned");
  expect(targets.map((e) => e.streamId).sort()).toEqual(canary.map((d) => `device:${d}`).sort());
  expect(targets.every((e) => e.metadata.causationId === started?.metadata.causationId)).toBe(true);

  const deviceEvents = new Map<string, Event>();
  let lastFailure = 0n;
  for (const deviceId of canary) {
    const history = await events(system, `device=${deviceId}`);
    for (const event of history) deviceEvents.set(event.eventId, event);
    const failed = history.find(
      (e) => e.type === "UpdateFailed" && (e.data.revision as Json).number === rev,
    );
    if (!faulty.includes(deviceId)) {
      expect(failed, `${deviceId} did not fail`).toBeUndefined();
      continue;
    }
    expect(failed?.metadata.actor).toBe(`device:${deviceId}`);
    const position = BigInt(failed?.globalPosition as string);
    if (position > lastFailure) lastFailure = position;
  }
  expect(lastFailure).toBeGreaterThan(0n);
  const startedAt = BigInt(started?.globalPosition as string);
  const decisions = (await events(system, `rollout=${id}`)).filter((e) =>
    ["WaveGateFailed", "RolloutPaused"].includes(e.type),
  );
  expect(decisions.map((e) => e.type)).toEqual(["WaveGateFailed", "RolloutPaused"]);
  for (const decision of decisions) {
    const cause = deviceEvents.get(decision.metadata.causationId);
    expect(cause, `${decision.type} is caused by a canary device's event`).toBeDefined();
    expect(BigInt(cause?.globalPosition as string)).toBeGreaterThan(startedAt);
    expect(decision.metadata.correlationId).toBe(cause?.metadata.correlationId);
    expect(decision.metadata.actor).toBe("system:rollout-process-manager");
  }
}

describe("a canary wave with injected failures over real agents", () => {
  let system: FleetSystem;
  const agent = (id: string) => system.agents.find((a) => a.spec.deviceId === id) as FleetAgent;
  const ids = () => system.agents.map((a) => a.spec.deviceId);

  async function restart(device: FleetAgent, faults: { failStart?: string[] }) {
    await device.disconnect();
    device.newAgent(faults);
    await device.connect(system.services.nats.url);
  }

  beforeAll(async () => {
    system = await startFleet(sims("canary", 30, "c"));
    const first = await system.postRevision("canary", [BASE], "v1");
    const id = await startRollout(system, {
      revision: { fleet: "canary", number: first },
      selector: { fleet: "canary" },
      waves: [{ size: { percent: 100 }, ...gate, maxFailures: { count: 0 } }],
    });
    await rolloutReaches(system, id, "completed");
    await allOnRevision(system, ids(), first);
  });
  afterAll(async () => {
    await system?.close();
  });

  it("trips the gate, pauses, rolls failed devices back, shows the causal chain, completes on resume", async () => {
    const second = await system.postRevision("canary", [BASE, APP], "v2");
    const definition = {
      revision: { fleet: "canary", number: second },
      selector: { fleet: "canary" },
      waves: canaryFirst,
    };
    const plan = await system.api("/v1/rollouts/plan", { method: "POST", json: definition });
    const canary = (plan.body.waves as { devices: { deviceId: string }[] }[])[0]?.devices ?? [];
    const faulty = canary.slice(0, 3).map((d) => d.deviceId);
    expect(faulty).toHaveLength(3);
    for (const id of faulty) await restart(agent(id), { failStart: ["app"] });

    const id = await startRollout(system, definition, "e2e-canary-start");
    const paused = await rolloutReaches(system, id, "paused");
    const waves = paused.waves as (Json & { gate: Json })[];
    expect(waves.map((w) => w.status)).toEqual(["failed", "pending", "pending"]);
    expect(waves[0]?.gate).toMatchObject({ state: "failed", failures: 3 });

    // The failed devices run the previous revision again, and say so.
    await allOnRevision(system, faulty, 1);
    for (const deviceId of faulty) {
      const why = await system.api(`/v1/rollouts/${id}/devices/${deviceId}/why`);
      expect(String(why.body.reason)).toMatch(/^failed:/);
    }

    await expectCausalChain(
      system,
      id,
      canary.map((d) => d.deviceId),
      faulty,
      second,
    );

    for (const deviceId of faulty) await restart(agent(deviceId), {});
    await system.api(`/v1/rollouts/${id}/resume`, { method: "POST", json: { reason: "fixed" } });
    await rolloutReaches(system, id, "completed");
    const healthy = ids().filter((d) => !faulty.includes(d));
    await allOnRevision(system, healthy, second);
  });
});
