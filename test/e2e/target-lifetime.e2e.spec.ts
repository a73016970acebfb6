import {
  allOnRevision,
  BUSYBOX_APP,
  type FleetSystem,
  type Json,
  rolloutReaches,
  sims,
  startFleet,
  startRollout,
  until,
} from "./fleet.test-helper.js";

const LIFETIME_S = 6;

/**
 * A device offline longer than its target's lifetime comes back to a refreshed target (the
 * gateway signs the same target again when the device comes online) and updates, instead of
 * refusing the expired one as `WONTGO target_expired`.
 */
describe("a device offline past its target's expiry", () => {
  let system: FleetSystem;

  beforeAll(async () => {
    const fleet = sims("life", 3, "l").map((spec) => ({
      ...spec,
      connection: { heartbeatMs: 1_000 },
    }));
    system = await startFleet(fleet, {
      env: {
        STATECAST_TARGET_LIFETIME_SECONDS: String(LIFETIME_S),
        STATECAST_OFFLINE_AFTER_SECONDS: "3",
      },
    });
  });
  afterAll(async () => {
    await system?.close();
  });

  it("updates normally when it returns", async () => {
    const [away, ...others] = system.agents;
    const awayId = away!.spec.deviceId;
    await until("every device online", async () => {
      for (const agent of system.agents) {
        const { body } = await system.api(`/v1/devices/${agent.spec.deviceId}`);
        if (body.online !== true) return undefined;
      }
      return true;
    });
    await away!.disconnect();
    const number = await system.postRevision("life", [BUSYBOX_APP], "v1");
    const id = await startRollout(system, {
      revision: { fleet: "life", number },
      selector: { fleet: "life" },
      waves: [{ size: { percent: 100 }, minSample: 1, soakSeconds: 0, maxFailures: { count: 0 } }],
    });
    await allOnRevision(
      system,
      others.map((a) => a.spec.deviceId),
      number,
    );
    await until("the away device marked offline", async () => {
      const { body } = await system.api(`/v1/devices/${awayId}`);
      return body.online === false ? true : undefined;
    });
    const [assigned] = await events(system, awayId, "TargetAssigned");
    if (!assigned) throw new Error(`no target assigned to ${awayId}`);
    const expiresAt = Date.parse(String(assigned.data.expiresAt ?? ""));
    const written = Date.parse(String(assigned.metadata.now));
    await until(
      "the target to expire",
      async () => (Date.now() > written + LIFETIME_S * 1000 + 1_000 ? true : undefined),
      30_000,
    );
    expect(Number.isNaN(expiresAt) || expiresAt < Date.now()).toBe(true);

    await away!.connect(system.services.nats.url);
    await rolloutReaches(system, id, "completed", 45_000);
    await allOnRevision(system, [awayId], number);
    expect(await events(system, awayId, "UpdateRejected")).toEqual([]);
    expect(await events(system, awayId, "TargetAssigned")).toHaveLength(1); // refreshed, not reassigned
    const journal = await away!.agent.journal.all();
    expect(journal.map((r) => r.status)).not.toContain("WONTGO");
  }, 120_000);
});

type Event = Json & { type: string; data: Json; metadata: Json };
async function events(system: FleetSystem, deviceId: string, type: string): Promise<Event[]> {
  const { body } = await system.api(`/v1/events?device=${deviceId}&limit=1000`);
  return (body.items as Event[]).filter((e) => e.type === type);
}
