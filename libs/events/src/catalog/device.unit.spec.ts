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
