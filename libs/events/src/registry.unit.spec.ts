import { z } from "zod";
import { deviceCatalog } from "./catalog/device.js";
import { revisionCatalog } from "./catalog/revision.js";
import { ValidationError } from "./errors.js";
import { createRegistry, defineEvent } from "./registry.js";

const digest = "a".repeat(64);

describe("event registry", () => {
  const registry = createRegistry(deviceCatalog, revisionCatalog);

  it("knows every type of the device and revision catalogs", () => {
    expect(registry.types()).toHaveLength(25);
    expect(registry.get("DeviceHealthReported")?.schemaVersion).toBe(1);
    expect(registry.has("TargetAssigned")).toBe(true);
    expect(registry.get("RevisionPosted")?.schemaVersion).toBe(1);
  });

  it("returns the parsed data with its schema version", () => {
    const valid = registry.validate("TargetAssigned", {
      revision: { fleet: "main", number: 3 },
      digest,
      seq: 4,
      waveIndex: 0,
    });
    expect(valid).toEqual({
      type: "TargetAssigned",
      schemaVersion: 1,
      data: { revision: { fleet: "main", number: 3 }, digest, seq: 4, waveIndex: 0 },
    });
    expect(
      registry.validate("RevisionPosted", {
        revision: { fleet: "main", number: 1 },
        digest,
        objects: [],
        author: "alice",
      }).data,
    ).toMatchObject({ message: "" });
  });

  it("refuses unknown types and bad data, naming the type and every failing field", () => {
    expect(() => registry.validate("Nope", {})).toThrow(/unknown event type "Nope"/);
    try {
      registry.validate("UpdateProgressReported", {
        bootId: "b",
        seq: -1,
        revision: { fleet: "main", number: 1 },
        status: "EXPLODED",
        progress: 101,
        extra: true,
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const { message, details } = error as ValidationError;
      expect(message).toMatch(/^invalid UpdateProgressReported event data: /);
      expect(details?.map((d) => d.path).sort()).toEqual(["(root)", "progress", "seq", "status"]);
    }
  });

  it("composes catalogs and refuses a type defined twice", () => {
    const tokens = [defineEvent("TokenIssued", 1, z.object({ name: z.string() }))];
    expect(createRegistry(deviceCatalog, tokens).has("TokenIssued")).toBe(true);
    expect(() => createRegistry(deviceCatalog, deviceCatalog)).toThrow(/more than one catalog/);
  });

  it("refuses badly named types and versions", () => {
    expect(() => defineEvent("device.enrolled", 1, z.object({}))).toThrow(/PascalCase/);
    expect(() => defineEvent("Fine", 0, z.object({}))).toThrow(/positive integer/);
  });
});

describe("device key events (issue 17)", () => {
  const registry = createRegistry(deviceCatalog, revisionCatalog);
  const key = `U${"A".repeat(55)}`;

  it("reads DeviceApproved as earlier releases wrote it (no key) and as it is written now", () => {
    expect(registry.validate("DeviceApproved", { by: "operator:ann" }).data).toEqual({
      by: "operator:ann",
    });
    expect(
      registry.validate("DeviceApproved", { by: "operator:ann", publicKey: key }).data,
    ).toEqual({ by: "operator:ann", publicKey: key });
    expect(() => registry.validate("DeviceApproved", { by: "x", publicKey: "SU123" })).toThrow(
      ValidationError,
    );
  });

  it("knows DeviceRekeyed and DeviceKeyPresented", () => {
    expect(
      registry.validate("DeviceRekeyed", { previousKey: key, reason: "new board" }),
    ).toMatchObject({ schemaVersion: 1 });
    expect(registry.validate("DeviceKeyPresented", { publicKey: key }).data).toEqual({
      publicKey: key,
    });
  });
});
