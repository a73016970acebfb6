import { classifyKey, holdsObjectId, partOfKey } from "./classify.js";

const SHA = "f".repeat(64);

describe("key classification", () => {
  it.each([
    ["#spec", "pantavisor-service-system@1", "spec", ""],
    ["_sigs/bsp.json", {}, "signature", "bsp"],
    ["_config/web/etc/hosts", SHA, "config", "web"],
    ["_config/web/conf.json", { a: 1 }, "config", "web"],
    ["web/run.json", { name: "web" }, "json", "web"],
    ["device.json", {}, "json", ""],
    ["web/data.json", SHA, "object", "web"],
    ["web/root.squashfs", SHA, "object", "web"],
    ["bsp/kernel.img", SHA, "object", "bsp"],
  ])("%s is %s of part %j", (key, value, kind, part) => {
    expect(classifyKey(key, value)).toBe(kind);
    expect(partOfKey(key)).toBe(part);
  });

  it("tells object ids from inline JSON", () => {
    expect(holdsObjectId("web/root.squashfs", SHA)).toBe(true);
    expect(holdsObjectId("web/data.json", SHA)).toBe(true);
    expect(holdsObjectId("web/run.json", { name: "web" })).toBe(false);
    expect(holdsObjectId("_sigs/web.json", SHA)).toBe(false);
    expect(holdsObjectId("#spec", SHA)).toBe(false);
  });
});
