import { createRegistry } from "../registry.js";
import { deviceCatalog } from "./device.js";

describe("device event catalog: UpdateProgressReported downloads", () => {
  const registry = createRegistry(deviceCatalog);
  const progress = {
    bootId: "b1",
    seq: 3,
    revision: { fleet: "main", number: 2 },
    status: "DOWNLOADING",
    progress: 25,
  };

  it("still reads the downloads previous releases wrote (total, done, objects)", () => {
    const data = { ...progress, downloads: { total: 10, done: 4, objects: 1 } };
    expect(registry.validate("UpdateProgressReported", data).data).toEqual(data);
  });

  it("reads the transfer counters: bytes needed, fetched as deltas, resumed", () => {
    const downloads = { total: 10, done: 10, objects: 1, needed: 900, delta: 10, resumed: 0 };
    const data = { ...progress, downloads };
    expect(registry.validate("UpdateProgressReported", data).data).toEqual(data);
    expect(() =>
      registry.validate("UpdateProgressReported", {
        ...progress,
        downloads: { ...downloads, delta: -1 },
      }),
    ).toThrow(/delta/);
  });
});

describe("device event catalog: UpdateSucceeded message", () => {
  const registry = createRegistry(deviceCatalog);
  const succeeded = {
    revision: { fleet: "main", number: 2 },
    status: "DONE",
    report: { bootId: "b1", seq: 7 },
  };

  it("still reads the UpdateSucceeded previous releases wrote (no message, or no cursor)", () => {
    expect(registry.validate("UpdateSucceeded", succeeded)).toEqual({
      type: "UpdateSucceeded",
      schemaVersion: 1,
      data: succeeded,
    });
    const { report: _, ...oldest } = succeeded;
    expect(registry.validate("UpdateSucceeded", oldest).data).toEqual(oldest);
  });

  it("reads the success report's message (a board's DONE names its kernel)", () => {
    const data = { ...succeeded, message: "kernel 6.1.0-47-amd64, booted abc" };
    expect(registry.validate("UpdateSucceeded", data).data).toEqual(data);
    expect(() =>
      registry.validate("UpdateSucceeded", { ...succeeded, message: "x".repeat(4097) }),
    ).toThrow(/message/);
  });
});
