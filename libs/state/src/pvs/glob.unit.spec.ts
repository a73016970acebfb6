import { matchGlob, selectKeys } from "./glob.js";

describe("PVS globs", () => {
  it.each([
    ["bsp/**", "bsp/run.json", true],
    ["bsp/**", "bsp/a/b/c", true],
    ["bsp/**", "bsp", false],
    ["bsp/**", "bspx/run.json", false],
    ["#spec", "#spec", true],
    ["device.json", "device.json", true],
    ["*.json", "device.json", true],
    ["*.json", "bsp/run.json", false],
    ["bsp/*.json", "bsp/run.json", true],
    ["ctr/?un.json", "ctr/run.json", true],
    ["ctr/[rs]un.json", "ctr/sun.json", true],
    ["ctr/[!r]un.json", "ctr/run.json", false],
    ["_sigs/.json", "_sigs/.json", true],
    ["a.b", "axb", false],
    ["[z-a]", "a", false],
    ["[abc", "[abc", true],
    ["a/**/z", "a/b/c/z", true],
    ["a/*/z", "a/b/c/z", false],
    ["**", "any/thing", true],
    ["*", "any/thing", false],
    ["[]]x", "]x", true],
  ])("%s vs %s → %s", (pattern, key, expected) => {
    expect(matchGlob(pattern, key)).toBe(expected);
  });

  it("stays fast on hostile patterns that make backtracking matchers explode", () => {
    const pattern = `${"*a".repeat(30)}b`;
    const key = "a".repeat(1000);
    // A backtracking matcher would not return from these within the test timeout.
    expect(matchGlob(pattern, key)).toBe(false);
    expect(matchGlob(`**${"a**".repeat(30)}`, key)).toBe(true);
  });

  it("selects include minus exclude, sorted", () => {
    const keys = ["p/src.json", "p/run.json", "_config/p/x", "_sigs/p.json", "q/run.json"];
    expect(selectKeys(keys, ["p/**", "_config/p/**"], ["p/src.json", "_sigs/p.json"])).toEqual([
      "_config/p/x",
      "p/run.json",
    ]);
  });
});
