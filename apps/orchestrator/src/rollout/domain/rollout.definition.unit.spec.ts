import { ValidationError } from "@statecast/events";
import type { RolloutDefinition } from "./rollout.definition.js";
import { DEFAULT_POLICY, DEFAULT_WAVES, withDefaults } from "./rollout.definition.js";
import { aDefinition, aWave, FLEET, RolloutScenario, TARGET } from "./rollout.test-helper.js";
import type { ValidationContext } from "./rollout.validation.js";
import { parseDefinition, validateDefinition } from "./rollout.validation.js";

const selected = (n: number, fleet = FLEET): ValidationContext => ({
  selectedDevices: Array.from({ length: n }, (_, i) => ({ deviceId: `dev-${i}`, fleet })),
  revisionExists: true,
});

const messages = (def: RolloutDefinition, context = selected(10)) =>
  validateDefinition(def, context).map((i) => `${i.path}: ${i.message}`);

describe("rollout definition defaults", () => {
  it("starts with a small canary wave and pauses on failure", () => {
    const def = withDefaults({ revision: TARGET, selector: { fleet: FLEET } });
    expect(def.waves).toEqual(DEFAULT_WAVES);
    expect(def.waves[0]?.size).toEqual({ percent: 5 });
    expect(def.policy).toEqual({ onFailure: "pause", onSuccess: "next" });
    expect(messages(def, selected(1000))).toEqual([]);
  });

  it("keeps the operator's policy choices over the defaults", () => {
    const def = withDefaults({
      revision: TARGET,
      selector: { ids: ["a"] },
      policy: { onSuccess: "pause" },
    });
    expect(def.policy).toEqual({ ...DEFAULT_POLICY, onSuccess: "pause" });
  });
});

describe("validateDefinition", () => {
  it("accepts a valid definition", () => {
    expect(messages(aDefinition())).toEqual([]);
  });

  it("refuses an empty selector", () => {
    expect(messages(aDefinition({ selector: {} }), selected(0))).toEqual([
      "selector: is empty: give device ids, tags or a fleet",
    ]);
  });

  it("refuses a selector that matches no device", () => {
    expect(messages(aDefinition({ selector: { tags: ["lab"] } }), selected(0))).toContain(
      "selector: matches no device",
    );
  });

  it("refuses waves that do not reach every selected device", () => {
    const waves = [aWave({ size: { percent: 10 } }), aWave({ size: { count: 5 } })];
    expect(messages(aDefinition({ waves }), selected(100))).toEqual([
      "waves: cover 15 of the 100 selected devices (10% + 5 devices); the waves must reach every device",
    ]);
  });

  it("refuses a revision of another fleet than the selector's", () => {
    const def = aDefinition({ selector: { fleet: "fleet-b" } });
    expect(messages(def)).toEqual([
      'revision.fleet: revision fleet-a#7 belongs to fleet "fleet-a", the selector targets fleet "fleet-b"',
    ]);
  });

  it("refuses devices of another fleet than the revision's, naming them", () => {
    const context: ValidationContext = {
      selectedDevices: [
        { deviceId: "a", fleet: FLEET },
        { deviceId: "b", fleet: "fleet-b" },
      ],
      revisionExists: true,
    };
    expect(messages(aDefinition({ selector: { ids: ["a", "b"] } }), context)).toEqual([
      'selector: 1 selected device(s) are not in fleet "fleet-a" of revision fleet-a#7: b',
    ]);
  });

  it("refuses a revision that does not exist and duplicate ids", () => {
    const def = aDefinition({ selector: { ids: ["a", "a"] } });
    expect(messages(def, { ...selected(1), revisionExists: false })).toEqual([
      "revision: revision fleet-a#7 does not exist",
      "selector.ids: lists devices twice: a",
    ]);
  });

  it("refuses bad numbers with the path and the value", () => {
    const bad = aWave({
      size: { percent: 0 },
      minSample: 0,
      soakSeconds: -1,
      maxFailures: { percent: 120, count: 1.5 },
    });
    const def = aDefinition({
      revision: { fleet: FLEET, number: 0 },
      waves: [
        bad,
        aWave({ size: { count: 0 }, maxFailures: {} }),
        aWave({ size: { percent: 100 } }),
      ],
      deviceTimeoutSeconds: 0,
    });
    expect(messages(def)).toEqual([
      "revision.number: must be ≥ 1, got 0",
      "waves[0].size.percent: must be in (0, 100], got 0",
      "waves[0].minSample: must be a whole number ≥ 1, got 0",
      "waves[0].soakSeconds: must be a whole number ≥ 0, got -1",
      "waves[0].maxFailures.percent: must be in [0, 100], got 120",
      "waves[0].maxFailures.count: must be a whole number ≥ 0, got 1.5",
      "waves[1].size.count: must be a whole number ≥ 1, got 0",
      "waves[1].maxFailures: needs a percent, a count or both",
      "deviceTimeoutSeconds: must be a whole number ≥ 1, got 0",
    ]);
  });

  it("refuses a definition without waves", () => {
    expect(messages(aDefinition({ waves: [] }))).toEqual(["waves: must list at least one wave"]);
  });
});

describe("parseDefinition", () => {
  it("returns a well-formed definition unchanged", () => {
    expect(parseDefinition(JSON.parse(JSON.stringify(aDefinition())))).toEqual(aDefinition());
  });

  it("refuses malformed input with a ValidationError naming each field", () => {
    const input = {
      revision: { fleet: "fleet-a" },
      selector: { ids: "a" },
      waves: [{}],
      policy: {},
    };
    expect(() => parseDefinition(input)).toThrow(ValidationError);
    expect(() => parseDefinition(input)).toThrow(
      /revision\.number: .*selector\.ids: .*waves\.0\.size/,
    );
    expect(() => parseDefinition("not an object")).toThrow(
      /malformed rollout definition: \(root\)/,
    );
  });

  it("makes CreateRollout refuse malformed input instead of crashing", () => {
    const rollout = new RolloutScenario();
    const create = {
      type: "CreateRollout" as const,
      rolloutId: "r-1",
      definition: { revision: TARGET } as unknown as RolloutDefinition,
      context: { selectedDevices: [], revisionExists: true },
      actor: "operator:ada",
      now: "2026-03-01T10:00:00.000Z",
    };
    expect(() => rollout.when(create)).toThrow(/malformed rollout definition: selector/);
    expect(rollout.events).toEqual([]);
  });
});
