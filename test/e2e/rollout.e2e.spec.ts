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
} from "./fleet.test-helper.js";
import { fleetReportProblems, gatewayDrops } from "./report-ledger.test-helper.js";

const wave = (percent: number) => ({
  size: { percent },
  minSample: 3,
  soakSeconds: 0,
  maxFailures: { percent: 10 },
});

describe("a 3-wave rollout to 3 LXC agents and 200 sim agents over generated NATS auth", () => {
  let system: FleetSystem;

  beforeAll(async () => {
    system = await startFleet([...lxcs("edge", 3), ...sims("edge", 200)]);
  });
  afterAll(async () => {
    await system?.close();
  });

  it("completes, and every device runs and reports the new revision", async () => {
    const number = await system.postRevision("edge", [BUSYBOX_APP], "v1");
    const id = await startRollout(system, {
      revision: { fleet: "edge", number },
      selector: { fleet: "edge" },
      waves: [wave(10), wave(30), wave(60)],
    });
    const done = await rolloutReaches(system, id, "completed", 90_000);
    const waves = done.waves as (Json & { counts: Record<string, number> })[];
    expect(waves.map((w) => w.status)).toEqual(["passed", "passed", "passed"]);
    expect(waves.map((w) => w.size)).toEqual([21, 61, 121]);
    // A wave's gate passes at its success threshold; the devices still updating then finish.
    const ids = system.agents.map((a) => a.spec.deviceId);
    const revisions = await allOnRevision(system, ids, number);
    expect(revisions.size).toBe(203);
    for (const lxc of system.agents.filter((a) => a.spec.runtime === "lxc")) {
      const running = await lxc.agent.config.runtime.list();
      expect(running.some((name) => name.startsWith("app"))).toBe(true);
      const { body } = await system.api(`/v1/devices/${lxc.spec.deviceId}`);
      expect(body).toMatchObject({ currentRevision: { fleet: "edge", number } });
    }
  });

  it("loses no report: none dropped as malformed, each journaled report is exactly one event", async () => {
    // Once every agent's journal is sent (acked), its reports must all be in the event history.
    expect(await fleetReportProblems(system)).toEqual([]);
    const journaled = (await Promise.all(system.agents.map((a) => a.agent.journal.all()))).flat();
    expect(journaled.length).toBeGreaterThanOrEqual(203 * 5);
    const drops = await gatewayDrops(system.services.gateway.url);
    expect({ malformed: drops.malformed ?? 0, spoofed: drops.spoofed ?? 0 }).toEqual({
      malformed: 0,
      spoofed: 0,
    });
  });
});
