import { partitionOf, type RunningProcessor } from "@statecast/events";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import { postSimRevision, sim } from "../testing/rollout-sim/device-sim.test-helper.js";
import { callJson, fleetOf, rolloutReaches, until } from "./rollout.test-helper.js";
import { FACT_TYPES } from "./rollout-facts.js";
import { PROCESS_MANAGER_NAME } from "./rollout-process-manager.js";

const DEVICES_PER_FLEET = 20;
const wave = (percent: number) => ({
  size: { percent },
  minSample: 1,
  soakSeconds: 0,
  maxFailures: { count: 0 },
});
const replicaEnv = (index: number) => ({
  STATECAST_PROCESSOR_PARTITIONS: "2",
  STATECAST_REPLICA_INDEX: String(index),
});

/** One sample of a family on the app's `/metrics` (the process manager's, when labelled). */
async function metric(app: TestApp, family: string): Promise<number> {
  const text = await (await app.call("/metrics", { token: null })).text();
  const line = text
    .split("\n")
    .find(
      (l) =>
        l.startsWith(`${family} `) ||
        l.startsWith(`${family}{processor="${PROCESS_MANAGER_NAME}"}`),
    );
  return Number(line?.split(" ").at(-1) ?? Number.NaN);
}

// Issue 16: two orchestrator replicas on one database, the process manager in two partitions
// (by rollout). Each replica decides its own rollouts; when one stops, the other takes its
// partition over and finishes its rollouts, with every decision made once.
describe("two orchestrator replicas, the rollout process manager partitioned by rollout", () => {
  let a: TestApp;
  let b: TestApp | undefined;
  let devices: RunningProcessor;
  const rollouts = new Map<string, number>(); // rollout id → partition
  const fleets: string[] = [];

  beforeAll(async () => {
    a = await startTestApp({ env: replicaEnv(0) });
    b = await startTestApp({ replicaOf: a, env: replicaEnv(1) });
    devices = sim(a.store, { name: "replicas" });
  }, 60_000);

  afterAll(async () => {
    await devices?.stop();
    await b?.close();
    await a?.close();
  });

  it("splits the rollouts' decisions between the replicas, then one finishes the other's", async () => {
    await until("each replica holding its partition", async () =>
      (await metric(a, "statecast_processor_partitions_held")) === 1 &&
      b &&
      (await metric(b, "statecast_processor_partitions_held")) === 1
        ? true
        : undefined,
    );
    // One rollout per fleet, until each partition has two (the ids are random).
    const perPartition = [0, 0];
    for (let i = 0; Math.min(...perPartition) < 2; i++) {
      if (i >= 16) throw new Error("16 rollouts and still a partition with fewer than 2");
      const fleet = `f${i}`;
      fleets.push(fleet);
      await postSimRevision(a.store, { fleet, number: 1 });
      await postSimRevision(a.store, { fleet, number: 2 });
      await fleetOf(a, fleet, fleet, DEVICES_PER_FLEET, { fleet, number: 1 });
      const created = await callJson(a, "/v1/rollouts", {
        method: "POST",
        json: {
          revision: { fleet, number: 2 },
          selector: { fleet },
          waves: [wave(25), wave(75)],
          policy: { onSuccess: "pause" }, // a manual gate after each wave
        },
      });
      expect(created.status).toBe(201);
      const id = String(created.body.rolloutId);
      const partition = partitionOf(id, 2);
      rollouts.set(id, partition);
      perPartition[partition] = (perPartition[partition] ?? 0) + 1;
    }
    const { rows: head } = await a.pool.query("SELECT max(global_position)::text AS p FROM events");
    for (const id of rollouts.keys()) {
      const started = await callJson(a, `/v1/rollouts/${id}/start`, { method: "POST", json: {} });
      expect(started.status).toBe(200);
    }
    for (const id of rollouts.keys()) await rolloutReaches(a, id, "paused"); // wave 1 passed
    const shareA = await metric(a, "statecast_rollout_decisions_total");
    const shareB = await metric(b as TestApp, "statecast_rollout_decisions_total");
    expect(shareA).toBeGreaterThan(0);
    expect(shareB).toBeGreaterThan(0);
    // Each device fact went to one replica only: the two shares add up to the facts there are.
    const { rows: facts } = await a.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE global_position > $1 AND type = ANY($2::text[])",
      [head[0].p, FACT_TYPES],
    );
    const factsA = await metric(a, "statecast_rollout_facts_total");
    const factsB = await metric(b as TestApp, "statecast_rollout_facts_total");
    expect(factsA).toBeGreaterThan(0);
    expect(factsB).toBeGreaterThan(0);
    expect(factsA + factsB).toBe(facts[0]?.n);

    // Replica b goes away: a takes partition 1 over once it has been free a while.
    await b?.close();
    b = undefined;
    for (const id of rollouts.keys()) {
      const promoted = await callJson(a, `/v1/rollouts/${id}/promote`, {
        method: "POST",
        json: {},
      });
      expect(promoted.status).toBe(200);
    }
    for (const id of rollouts.keys()) {
      const done = await rolloutReaches(a, id, "completed");
      const waves = done.waves as { counts: Record<string, number> }[];
      expect(waves.reduce((n, w) => n + (w.counts.succeeded ?? 0), 0)).toBe(DEVICES_PER_FLEET);
    }
    expect(await metric(a, "statecast_processor_partitions_held")).toBe(2);
    expect(await metric(a, "statecast_rollout_decisions_total")).toBeGreaterThan(shareA);

    // Every decision once: one gate per wave, one completion, one target per device.
    const { rows } = await a.pool.query<{ stream_id: string; type: string; n: number }>(
      `SELECT stream_id, type, count(*)::int AS n FROM events
       WHERE stream_id = ANY($1::text[]) GROUP BY 1, 2`,
      [[...rollouts.keys()].map((id) => `rollout:${id}`)],
    );
    for (const id of rollouts.keys()) {
      const count = (type: string) =>
        rows.find((r) => r.stream_id === `rollout:${id}` && r.type === type)?.n ?? 0;
      expect([count("WaveGatePassed"), count("RolloutCompleted")]).toEqual([2, 1]);
      expect(count("RolloutDeviceSucceeded")).toBe(DEVICES_PER_FLEET);
    }
    const { rows: targets } = await a.pool.query<{ n: number; devices: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT stream_id)::int AS devices FROM events
       WHERE type = 'TargetAssigned' AND data ->> 'rolloutId' = ANY($1::text[])`,
      [[...rollouts.keys()]],
    );
    expect(targets[0]).toEqual({
      n: rollouts.size * DEVICES_PER_FLEET,
      devices: rollouts.size * DEVICES_PER_FLEET,
    });
  }, 120_000);
});
