import { type EventData, rolloutCatalog } from "@statecast/events";
import type { RolloutEvent } from "./rollout.events.js";

type CatalogData = { [D in (typeof rolloutCatalog)[number] as D["type"]]: EventData<D> };
type DomainData = { [E in RolloutEvent as E["type"]]: E["data"] };

// Compile-time: the domain's event types and the zod schemas in libs/events describe the same
// events (`npm run typecheck` fails if either side drifts).
const domainFitsCatalog: DomainData extends CatalogData ? true : false = true;
const catalogFitsDomain: CatalogData extends DomainData ? true : false = true;

describe("rollout events and the libs/events catalog", () => {
  it("name the same event types", () => {
    const domainTypes: Record<RolloutEvent["type"], true> = {
      RolloutCreated: true,
      RolloutStarted: true,
      WaveStarted: true,
      WaveTargetsAssigned: true,
      WaveGatePassed: true,
      WaveGateFailed: true,
      RolloutPaused: true,
      RolloutResumed: true,
      RolloutPromoted: true,
      RolloutAborted: true,
      RolloutRollbackStarted: true,
      RolloutCompleted: true,
      WaveStartDeferred: true,
      RolloutScheduleEnded: true,
      RolloutTargetsCancelled: true,
      DeviceJoinedRollout: true,
      RolloutDeviceProgressed: true,
      RolloutDeviceUpdated: true,
      RolloutDeviceSucceeded: true,
      RolloutDeviceFailed: true,
      RolloutDeviceRejected: true,
      RolloutDeviceWaiting: true,
      RolloutDeviceConsented: true,
      RolloutDeviceWentOffline: true,
      RolloutDeviceCameOnline: true,
    };
    expect(rolloutCatalog.map((d) => d.type).sort()).toEqual(Object.keys(domainTypes).sort());
    expect([domainFitsCatalog, catalogFitsDomain]).toEqual([true, true]);
  });
});
