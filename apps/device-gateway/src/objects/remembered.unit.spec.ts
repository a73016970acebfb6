import { Remembered } from "./remembered.js";

describe("Remembered", () => {
  it("shares one lookup between concurrent callers and remembers it for its TTL", async () => {
    let now = 0;
    let loads = 0;
    const cache = new Remembered<number>(
      1000,
      () => true,
      () => now,
    );
    const load = async () => ++loads;
    expect(await Promise.all([cache.get("a", load), cache.get("a", load)])).toEqual([1, 1]);
    now = 999;
    expect(await cache.get("a", load)).toBe(1);
    now = 1000;
    expect(await cache.get("a", load)).toBe(2);
    cache.forget("a");
    expect(await cache.get("a", load)).toBe(3);
    expect([cache.hits, cache.loads]).toEqual([2, 3]);
  });

  it("looks up again after a failed lookup or an answer it does not keep", async () => {
    let loads = 0;
    const cache = new Remembered<number | null>(
      1000,
      (v) => v !== null,
      () => 0,
    );
    await expect(
      cache.get("a", async () => Promise.reject(new Error(`no ${++loads}`))),
    ).rejects.toThrow("no 1");
    const missing = async () => {
      loads += 1;
      return null;
    };
    expect(await cache.get("a", missing)).toBeNull();
    expect(await cache.get("a", async () => ++loads)).toBe(3);
    expect(await cache.get("a", async () => ++loads)).toBe(3);
  });
});
