import { DeviceBatches } from "./device-batches.js";

/** A device read whose batches the test lets finish one by one. */
function aRead() {
  const batches: { ids: readonly string[]; finish: (fail?: Error) => void }[] = [];
  const read = (ids: readonly string[]) =>
    new Promise<Map<string, string>>((resolve, reject) => {
      batches.push({
        ids,
        finish: (fail) =>
          fail
            ? reject(fail)
            : resolve(
                new Map(ids.filter((id) => id !== "ghost").map((id) => [id, `state of ${id}`])),
              ),
      });
    });
  return { batches, read };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("device reads gathered into batches", () => {
  it("runs at most two batches at once and gathers every read asked meanwhile into the next", async () => {
    const { batches, read } = aRead();
    const devices = new DeviceBatches(read, (id) => `absent ${id}`);
    const first = devices.read("d1");
    await settle();
    const second = devices.read("d2");
    await settle();
    const waiting = ["d3", "d4", "d3", "ghost", "d5"].map((id) => devices.read(id));
    await settle();
    expect(batches.map((b) => b.ids)).toEqual([["d1"], ["d2"]]);
    batches[0]?.finish();
    expect(await first).toBe("state of d1");
    await settle();
    // One batch for the five reads asked while two ran; d3 asked twice is read once.
    expect(batches.map((b) => b.ids)).toEqual([["d1"], ["d2"], ["d3", "d4", "ghost", "d5"]]);
    batches[1]?.finish();
    batches[2]?.finish();
    expect(await second).toBe("state of d2");
    expect(await Promise.all(waiting)).toEqual([
      "state of d3",
      "state of d4",
      "state of d3",
      "absent ghost",
      "state of d5",
    ]);
  });

  it("tells every read of a failed batch, and reads again for the next ones", async () => {
    const { batches, read } = aRead();
    const devices = new DeviceBatches(read, (id) => `absent ${id}`, 1);
    const failed = [devices.read("d1"), devices.read("d2")];
    await settle();
    batches[0]?.finish(new Error("timeout exceeded when trying to connect"));
    for (const read of failed) await expect(read).rejects.toThrow("timeout exceeded");
    const again = devices.read("d1");
    await settle();
    batches[1]?.finish();
    expect(await again).toBe("state of d1");
    expect(batches.map((b) => b.ids)).toEqual([["d1", "d2"], ["d1"]]);
  });

  it("keeps a batch to its largest size, the rest in the next", async () => {
    const { batches, read } = aRead();
    const devices = new DeviceBatches(read, (id) => `absent ${id}`, 1, 3);
    const reads = ["a", "b", "c", "d", "e"].map((id) => devices.read(id));
    await settle();
    batches[0]?.finish();
    await settle();
    batches[1]?.finish();
    await Promise.all(reads);
    expect(batches.map((b) => b.ids)).toEqual([
      ["a", "b", "c"],
      ["d", "e"],
    ]);
  });
});
