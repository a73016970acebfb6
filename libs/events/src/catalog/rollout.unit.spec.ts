import { createRegistry } from "../registry.js";
import { deviceCatalog } from "./device.js";
import { revisionCatalog } from "./revision.js";
import { rolloutCatalog } from "./rollout.js";

describe("rollout event catalog", () => {
  const registry = createRegistry(deviceCatalog, revisionCatalog, rolloutCatalog);
  const at = "2026-03-01T10:00:00.000Z";

  it("composes with the device and revision catalogs without a clash", () => {
    expect(registry.types()).toHaveLength(deviceCatalog.length + revisionCatalog.length + 25);
    expect(registry.has("WaveGatePassed")).toBe(true);
  });

  it("accepts a rollout definition and fills nothing in", () => {
    const definition = {
      revision: { fleet: "main", number: 4 },
      selector: { tags: ["lab"] },
      waves: [{ size: { percent: 5 }, minSample: 1, soakSeconds: 600, maxFailures: { count: 0 } }],
      policy: { onFailure: "rollback", onSuccess: "pause" },
    };
    const data = { actor: "operator:ada", at, rolloutId: "r-1", definition };
    expect(registry.validate("RolloutCreated", data).data).toEqual(data);
  });

  it("refuses malformed rollout events, naming the field", () => {
    expect(() => registry.validate("WaveStarted", { waveIndex: -1, at })).toThrow(/waveIndex/);
    expect(() =>
      registry.validate("RolloutPaused", { actor: "system:x", cause: "bored", at }),
    ).toThrow(/cause/);
    expect(() =>
      registry.validate("RolloutDeviceFailed", {
        deviceId: "d",
        reason: "Not A Code",
        late: false,
        countedInWave: 0,
        source: "error",
        at,
      }),
    ).toThrow(/reason/);
    expect(() =>
      registry.validate("RolloutCreated", {
        actor: "operator:ada",
        at,
        rolloutId: "r-1",
        definition: {
          revision: { fleet: "main", number: 4 },
          selector: {},
          waves: [{ size: { percent: 0 }, minSample: 1, soakSeconds: 0, maxFailures: {} }],
          policy: { onFailure: "pause", onSuccess: "next" },
        },
      }),
    ).toThrow(/definition\.waves\.0\.size/);
  });
});
