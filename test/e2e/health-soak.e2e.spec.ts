import {
  allOnRevision,
  type FleetSystem,
  type Json,
  lxcs,
  rolloutReaches,
  sims,
  startFleet,
  startRollout,
  until,
} from "./fleet.test-helper.js";
import type { FleetAgent } from "./fleet-agents.test-helper.js";

const BASE = { name: "base", init: "exec /bin/sleep 1000000" };
/** Passes its status goal (STARTED) and the commit, then dies in the soak, saying why. */
const CRASHING = {
  name: "app",
  init: 'echo "app: serving"\n/bin/sleep 6\necho "app: out of memory, giving up"\nexit 3',
};
const HEALTHY = { name: "app", init: 'echo "app: serving"\nexec /bin/sleep 1000000' };
const soakWave = (soakSeconds: number) => ({
  size: { percent: 100 },
  minSample: 1,
  soakSeconds,
  maxFailures: { count: 0 },
});

type Event = Json & { type: string; data: Json };

/**
 * Health after DONE over real services, one real LXC agent and sim agents: a canary that commits
 * and then crashes in its soak fails the gate; the same rollout with a healthy app passes.
 */
describe("a soak gate that sees a canary crash after commit", () => {
  let system: FleetSystem;
  const lxc = () => system.agents.find((a) => a.spec.runtime === "lxc") as FleetAgent;

  beforeAll(async () => {
    system = await startFleet([...lxcs("soak", 1), ...sims("soak", 4, "s")]);
  });
  afterAll(async () => {
    await system?.close();
  });

  it("fails the gate and pauses, naming the crash; a healthy app passes after its soak", async () => {
    const crashing = await system.postRevision("soak", [BASE, CRASHING], "crashing");
    const bad = await startRollout(system, {
      revision: { fleet: "soak", number: crashing },
      selector: { fleet: "soak" },
      waves: [soakWave(60)],
    });
    const paused = await rolloutReaches(system, bad, "paused", 90_000);
    expect((paused.waves as Json[])[0]).toMatchObject({ status: "failed" });
    const deviceId = lxc().spec.deviceId;
    const why = await system.api(`/v1/rollouts/${bad}/devices/${deviceId}/why`);
    expect(why.body.reason).toBe("failed:crashed_during_soak");
    // It had committed: DONE first, then the health report that failed it.
    const { body } = await system.api(`/v1/events?device=${deviceId}&limit=1000`);
    const history = body.items as Event[];
    const done = history.findIndex(
      (e) => e.type === "UpdateSucceeded" && (e.data.revision as Json).number === crashing,
    );
    const crash = history.findIndex((e) => e.type === "DeviceHealthReported");
    expect(done).toBeGreaterThanOrEqual(0);
    expect(crash).toBeGreaterThan(done);
    expect(history[crash]?.data).toMatchObject({
      kind: "container_exited",
      part: "app",
      exitCode: 3,
      count: 1,
      revision: { fleet: "soak", number: crashing },
    });
    // The sims soaked without a word: only the crashing device failed.
    const sims = system.agents.filter((a) => a.spec.runtime === "sim").map((a) => a.spec.deviceId);
    for (const sim of sims) {
      const simWhy = await system.api(`/v1/rollouts/${bad}/devices/${sim}/why`);
      expect(simWhy.body.reason).not.toMatch(/^failed:/);
    }

    await system.api(`/v1/rollouts/${bad}/abort`, { method: "POST", json: { reason: "crash" } });
    await rolloutReaches(system, bad, "aborted");
    const healthy = await system.postRevision("soak", [BASE, HEALTHY], "healthy");
    const good = await startRollout(system, {
      revision: { fleet: "soak", number: healthy },
      selector: { fleet: "soak" },
      waves: [soakWave(10)],
    });
    const started = Date.now();
    const completed = await rolloutReaches(system, good, "completed", 90_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
    expect((completed.waves as Json[])[0]).toMatchObject({ status: "passed" });
    await allOnRevision(system, [deviceId, ...sims], healthy);
    await until("the healthy app to keep running", async () => {
      const names = await lxc().agent.config.runtime.list();
      const app = names.find((n) => n.startsWith("app."));
      return app && (await lxc().agent.config.runtime.state(app)) === "RUNNING" ? app : undefined;
    });
  }, 240_000);
});
