import { setTimeout as sleep } from "node:timers/promises";
import {
  allOnRevision,
  BUSYBOX_APP,
  type FleetSystem,
  type Json,
  lxcs,
  rolloutReaches,
  sims,
  startFleet,
  startRollout,
  until,
} from "./fleet.test-helper.js";
import { jetStreamTallies, reconcileRollout } from "./reconcile.test-helper.js";
import {
  fleetReportProblems,
  gatewayDrops,
  gatewayHeldForGap,
  gatewayReportLosses,
} from "./report-ledger.test-helper.js";

const wave = (percent: number) => ({
  size: { percent },
  minSample: 3,
  soakSeconds: 0,
  maxFailures: { percent: 10 },
});

/** How many devices have committed revision `number` of `fleet` (UpdateSucceeded events). */
async function succeeded(system: FleetSystem, fleet: string, number: number): Promise<number> {
  const { rows } = await system.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM events WHERE type = 'UpdateSucceeded'
       AND data -> 'revision' ->> 'fleet' = $1 AND (data -> 'revision' ->> 'number')::int = $2`,
    [fleet, number],
  );
  return Number(rows[0]?.n);
}

// With two replicas of each (issue 16), replica 0 of each is killed: replica 1 takes its
// partitions over while it is down, and hands them back when it is started again.
/** Partitions of the rollout process manager an orchestrator holds (its `/metrics`). */
async function pmPartitionsHeld(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const series =
    'statecast_processor_partitions_held{processor="orchestrator.rollout-process-manager"} ';
  const line = text.split("\n").find((l) => l.startsWith(series));
  return Number(line?.slice(series.length) ?? Number.NaN);
}

describe.each([
  { replicas: 1, what: "orchestrator and gateway" },
  { replicas: 2, what: "replica 0 of two orchestrators and of two gateways" },
])("$what SIGKILLed mid-rollout and restarted", ({ replicas }) => {
  let system: FleetSystem;
  const devices = 31;

  beforeAll(async () => {
    // The services run as child processes of their built entry points: the kill is a real SIGKILL.
    system = await startFleet([...lxcs("plant", 1), ...sims("plant", devices - 1, "k")], {
      processes: true,
      replicas,
    });
  });
  afterAll(async () => {
    await system?.close();
  });

  it("completes the rollout, and the event history has no lost and no duplicated transition", async () => {
    const children = system.services.children!;
    const ids = system.agents.map((a) => a.spec.deviceId);
    const number = await system.postRevision("plant", [BUSYBOX_APP], "v1");
    const id = await startRollout(system, {
      revision: { fleet: "plant", number },
      selector: { fleet: "plant" },
      waves: [wave(10), wave(40), wave(50)],
    });

    // Mid-rollout: the first wave has passed and the second is being updated.
    const before = await until(
      "a fifth of the fleet on the new revision",
      async () => {
        const n = await succeeded(system, "plant", number);
        return n >= Math.ceil(devices / 5) ? n : undefined;
      },
      90_000,
    );
    const [orchestratorExit, gatewayExit] = await Promise.all([
      children.orchestrator.kill(),
      children.gateway.kill(),
    ]);
    expect([orchestratorExit, gatewayExit]).toEqual(["killed by SIGKILL", "killed by SIGKILL"]);
    const { rows: atKill } = await system.pool.query<{ type: string; n: string }>(
      "SELECT type, count(*) AS n FROM events WHERE stream_id = $1 GROUP BY type",
      [`rollout:${id}`],
    );
    const rolloutAtKill = Object.fromEntries(atKill.map((r) => [r.type, Number(r.n)]));
    expect(rolloutAtKill.RolloutCompleted).toBeUndefined();
    expect(before).toBeLessThan(devices);

    // While both are down the agents keep applying and publishing reports into SC_DEVICE_STATUS.
    await sleep(2_000);
    const survivor = system.services.replicas?.orchestrators[1];
    if (survivor) {
      await until(
        "orchestrator replica 1 to take the killed replica's partition over",
        async () => ((await pmPartitionsHeld(survivor.url)) === 2 ? true : undefined),
        30_000,
      );
    }
    await Promise.all([children.orchestrator.start(), children.gateway.start()]);
    if (survivor) {
      await until(
        "replica 1 to hand the partition back to the restarted replica 0",
        async () => ((await pmPartitionsHeld(children.orchestrator.url)) === 1 ? true : undefined),
        30_000,
      );
    }

    const done = await rolloutReaches(system, id, "completed", 90_000);
    const waves = done.waves as Json[];
    expect(waves.map((w) => w.status)).toEqual(["passed", "passed", "passed"]);
    await allOnRevision(system, ids, number, 60_000);
    const lxc = system.agents.find((a) => a.spec.runtime === "lxc")!;
    expect((await lxc.agent.config.runtime.list()).some((n) => n.startsWith("app"))).toBe(true);

    // Quiet: the relay has published every event once and the gateway has acked every report.
    const tallies = await until(
      "the relay and the status consumer to catch up",
      async () => {
        const t = await jetStreamTallies(system);
        const { rows } = await system.pool.query<{ n: string }>("SELECT count(*) AS n FROM events");
        const events = Number(rows[0]?.n);
        if (t.relayed > events) throw new Error(`SC_EVENTS holds ${t.relayed} > ${events} events`);
        return t.relayed === events && t.statusPending === 0 && t.statusAckPending === 0
          ? { ...t, events }
          : undefined;
      },
      30_000,
    );
    const found = await until(
      "the projection to match a replay",
      async () => {
        const r = await reconcileRollout(system, id, ids, 3);
        return r.projection.length === 0 ? r : undefined;
      },
      20_000,
    ).catch(async () => reconcileRollout(system, id, ids, 3));
    expect(found.rolloutTransitions).toEqual([]);
    expect(found.targets).toEqual([]);
    expect(found.terminals).toEqual([]);
    expect(found.reportSeqs).toEqual([]);
    expect(found.projection).toEqual([]);
    expect(found.counts.reports).toBeGreaterThanOrEqual(devices);
    // Nothing lost: every journaled report is exactly one event, and the restarted gateway
    // dropped none (but reports it committed before the kill, coming back) and skipped no seq.
    expect(await fleetReportProblems(system)).toEqual([]);
    const gatewayUrl = system.services.gateway.url;
    for (const replica of system.services.replicas?.gateways ?? [system.services.gateway])
      expect(await gatewayReportLosses(replica.url)).toEqual({});
    console.log(
      JSON.stringify({
        scenario: "kill-restart",
        replicas,
        devices,
        succeededAtKill: before,
        rolloutAtKill,
        ...found.counts,
        relayed: tallies.relayed,
        heldForGap: await gatewayHeldForGap(gatewayUrl),
        drops: await gatewayDrops(gatewayUrl),
      }),
    );
  });
});
