import type { RecordedEvent } from "@statecast/events";
import { ValidationError } from "@statecast/events";
import { DEFAULT_POLICY, DEFAULT_WAVES } from "./domain/index.js";
import { parseDefinition } from "./rollout-definition.input.js";
import { toDeviceFact } from "./rollout-facts.js";
import { matchesSelector } from "./rollout-fleet.js";

const rev = { fleet: "main", number: 2 };
const NOW = "2026-11-25T12:00:00.000Z";

function deviceEvent(type: string, data: unknown, streamId = "device:d1"): RecordedEvent {
  return {
    globalPosition: 1n,
    streamId,
    streamVersion: 1,
    eventId: "00000000-0000-4000-8000-000000000000",
    type,
    schemaVersion: 1,
    data,
    metadata: { actor: "device:d1", correlationId: "c", causationId: "c", now: NOW },
    recordedAt: new Date(NOW),
    transactionId: 1n,
  };
}

describe("parseDefinition", () => {
  it("fills the default waves and policy", () => {
    const definition = parseDefinition({ revision: rev, selector: { fleet: "main" } });
    expect(definition.waves).toEqual(DEFAULT_WAVES);
    expect(definition.policy).toEqual(DEFAULT_POLICY);
  });

  it("keeps a partial policy's given half", () => {
    const definition = parseDefinition({
      revision: rev,
      selector: { ids: ["d1"] },
      policy: { onFailure: "rollback" },
    });
    expect(definition.policy).toEqual({ onFailure: "rollback", onSuccess: "next" });
  });

  it("names every malformed field by its path", () => {
    try {
      parseDefinition({ revision: { fleet: "", number: 1 }, selector: { fleet: 3 }, extra: true });
      expect.unreachable("a malformed definition was accepted");
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const paths = (error as ValidationError).details?.map((d) => d.path);
      expect(paths).toEqual(expect.arrayContaining(["revision.fleet", "selector.fleet", "(body)"]));
    }
  });
});

describe("toDeviceFact", () => {
  it("turns device outcomes into decider inputs stamped with the runner's now", () => {
    expect(
      toDeviceFact(deviceEvent("UpdateSucceeded", { revision: rev, status: "UPDATED" }), NOW),
    ).toEqual({
      type: "UpdateSucceeded",
      deviceId: "d1",
      revision: rev,
      status: "UPDATED",
      now: NOW,
    });
    expect(
      toDeviceFact(
        deviceEvent("DeviceRolledBack", {
          from: rev,
          to: { fleet: "main", number: 1 },
          reason: "boot_failed",
        }),
        NOW,
      ),
    ).toEqual({
      type: "DeviceRolledBack",
      deviceId: "d1",
      revision: rev,
      reason: "boot_failed",
      now: NOW,
    });
    expect(
      toDeviceFact(deviceEvent("UpdateRejected", { revision: rev, reason: "no_space" }), NOW),
    ).toMatchObject({ type: "UpdateRejected", reason: "no_space" });
  });

  it("ignores reports that are not progress, and events of other streams", () => {
    const done = deviceEvent("UpdateProgressReported", { revision: rev, status: "DONE" });
    expect(toDeviceFact(done, NOW)).toBeNull();
    const downloading = deviceEvent("UpdateProgressReported", {
      revision: rev,
      status: "DOWNLOADING",
    });
    expect(toDeviceFact(downloading, NOW)).toMatchObject({ status: "DOWNLOADING" });
    expect(
      toDeviceFact(deviceEvent("UpdateSucceeded", { revision: rev }, "revision:main:2"), NOW),
    ).toBeNull();
  });
});

describe("matchesSelector", () => {
  const device = { deviceId: "d1", fleet: "main", tags: { site: "a", role: "gw" } };

  it("requires every given criterion", () => {
    expect(matchesSelector(device, { fleet: "main", tags: ["site=a", "role"] })).toBe(true);
    expect(matchesSelector(device, { fleet: "main", tags: ["site=b"] })).toBe(false);
    expect(matchesSelector(device, { fleet: "other" })).toBe(false);
    expect(matchesSelector(device, { ids: ["d2"], fleet: "main" })).toBe(false);
    expect(matchesSelector(device, { ids: ["d1"] })).toBe(true);
    expect(matchesSelector(device, { tags: ["missing"] })).toBe(false);
  });
});
