import { CoalescedWrites } from "./coalesced-writes.js";

describe("CoalescedWrites", () => {
  it("writes one alone at once, and those arriving meanwhile together in the next write", async () => {
    const writes: number[][] = [];
    let release = () => {};
    const writer = new CoalescedWrites<number>(async (items) => {
      writes.push(items);
      if (writes.length === 1) await new Promise<void>((r) => (release = r));
    });
    const first = writer.add(1);
    const rest = [2, 3, 4].map((n) => writer.add(n));
    expect(writes).toEqual([[1]]);
    release();
    await Promise.all([first, ...rest]);
    expect(writes).toEqual([[1], [2, 3, 4]]);
  });

  it("bounds a group by its maximum", async () => {
    const writes: number[][] = [];
    const writer = new CoalescedWrites<number>(async (items) => {
      writes.push(items);
      await Promise.resolve();
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((n) => writer.add(n)));
    expect(writes).toEqual([[1], [2, 3], [4, 5]]);
  });

  it("writes a failed group again one by one: only the bad item's caller fails", async () => {
    const writes: number[][] = [];
    let release = () => {};
    const writer = new CoalescedWrites<number>(async (items) => {
      writes.push(items);
      if (writes.length === 1) await new Promise<void>((r) => (release = r));
      if (items.includes(3)) throw new Error("bad row 3");
    });
    const first = writer.add(1);
    const outcomes = [2, 3, 4].map((n) =>
      writer.add(n).then(
        () => "ok",
        (error: Error) => error.message,
      ),
    );
    release();
    await first;
    expect(await Promise.all(outcomes)).toEqual(["ok", "bad row 3", "ok"]);
    expect(writes).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
    // The writer goes on after a failure.
    await writer.add(5);
    expect(writes.at(-1)).toEqual([5]);
  });
});
