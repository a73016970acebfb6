import {
  allOnRevision,
  currentRevisions,
  expectStatus,
  type FleetSystem,
  rolloutReaches,
  sims,
  startFleet,
  startRollout,
} from "./fleet.test-helper.js";
import type { FleetAgent } from "./fleet-agents.test-helper.js";

const BASE = { name: "base", init: "exec /bin/sleep 1000000" };
const APP = { name: "app", init: "exec /bin/sleep 1000000" };
const oneWave = (maxFailures: number) => [
  { size: { percent: 100 }, minSample: 1, soakSeconds: 0, maxFailures: { count: maxFailures } },
];

describe("offline devices and rollback over real agents", () => {
  let system: FleetSystem;
  const ids = () => system.agents.map((a) => a.spec.deviceId);

  beforeAll(async () => {
    system = await startFleet(sims("field", 20, "f"));
    const first = await system.postRevision("field", [BASE], "v1");
    const id = await startRollout(system, {
      revision: { fleet: "field", number: first },
      selector: { fleet: "field" },
      waves: oneWave(0),
    });
    await rolloutReaches(system, id, "completed");
    await allOnRevision(system, ids(), first);
  });
  afterAll(async () => {
    await system?.close();
  });

  it("a device offline during assignment gets its target when it reconnects", async () => {
    const offline = system.agents.slice(0, 2) as FleetAgent[];
    for (const device of offline) await device.disconnect();
    const second = await system.postRevision("field", [BASE, APP], "v2");
    const id = await startRollout(system, {
      revision: { fleet: "field", number: second },
      selector: { fleet: "field" },
      waves: oneWave(2),
    });
    await allOnRevision(system, ids().slice(2), second);
    const whileOffline = await currentRevisions(system);
    expect([whileOffline.get("f-0000"), whileOffline.get("f-0001")]).toEqual([1, 1]);

    for (const device of offline) {
      device.newAgent();
      await device.connect(system.services.nats.url);
    }
    await allOnRevision(system, ids(), second);
    await rolloutReaches(system, id, "completed");
  });

  it("a rollback rollout returns every updated device to its previous revision", async () => {
    const third = await system.postRevision("field", [BASE], "v3");
    const id = await startRollout(system, {
      revision: { fleet: "field", number: third },
      selector: { fleet: "field" },
      waves: oneWave(0),
    });
    await rolloutReaches(system, id, "completed");
    await allOnRevision(system, ids(), third);

    await expectStatus(
      system.api(`/v1/rollouts/${id}/rollback`, { method: "POST", json: { reason: "e2e" } }),
      200,
    );
    const back = await rolloutReaches(system, `${id}-rollback-1`, "completed");
    expect(back).toMatchObject({ rollbackOf: id, devices: 20, revision: { number: third - 1 } });
    await allOnRevision(system, ids(), third - 1);
  });
});
