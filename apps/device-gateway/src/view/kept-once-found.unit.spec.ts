import { KeptOnceFound } from "./kept-once-found.js";

describe("KeptOnceFound", () => {
  it("loads a key once for concurrent lookups and keeps what was found", async () => {
    const kept = new KeptOnceFound<string>(10);
    const asked: string[][] = [];
    const load = async (missing: readonly string[]) => {
      asked.push([...missing]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return new Map(missing.filter((k) => k !== "absent").map((k) => [k, `value of ${k}`]));
    };
    const answers = await Promise.all([
      kept.of(["a", "b"], load),
      kept.of(["a"], load),
      kept.of(["b", "absent"], load),
    ]);
    expect(answers).toEqual([["value of a", "value of b"], ["value of a"], ["value of b"]]);
    expect(asked).toEqual([["a", "b"], ["absent"]]);
    expect(await kept.of(["a", "absent"], load)).toEqual(["value of a"]);
    expect(asked).toEqual([["a", "b"], ["absent"], ["absent"]]); // not found: asked again
  });

  it("keeps nothing of a failed load and lets its callers see the failure", async () => {
    const kept = new KeptOnceFound<number>(10);
    const failing = async () => {
      throw new Error("database gone");
    };
    await expect(kept.of(["a"], failing)).rejects.toThrow("database gone");
    expect(await kept.of(["a"], async () => new Map([["a", 1]]))).toEqual([1]);
  });

  it("drops the first kept value past its limit", async () => {
    const kept = new KeptOnceFound<number>(2);
    const asked: string[] = [];
    const load = async (missing: readonly string[]) => {
      asked.push(...missing);
      return new Map(missing.map((k) => [k, k.length]));
    };
    await kept.of(["a"], load);
    await kept.of(["bb"], load);
    await kept.of(["ccc"], load);
    await kept.of(["bb", "ccc", "a"], load);
    expect(asked).toEqual(["a", "bb", "ccc", "a"]);
  });
});
