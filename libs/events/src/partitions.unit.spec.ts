import { partitionName, partitionNames, partitionOf, prefers } from "./partitions.js";

describe("partitions", () => {
  it("hashes a key to the same partition in every process (FNV-1a, pinned)", () => {
    // Replicas of different releases must agree: changing the hash moves keys between partitions.
    // (Values checked against an independent FNV-1a.)
    expect(["device:a", "device:b", "rollout-1", ""].map((k) => partitionOf(k, 4))).toEqual([
      2, 3, 0, 1,
    ]);
    expect(partitionOf("anything", 1)).toBe(0);
  });

  it("spreads keys over the partitions", () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[partitionOf(`device:d${i}`, 3)]! += 1;
    for (const n of counts) expect(n).toBeGreaterThan(800);
  });

  it("keeps the processor's own name unpartitioned, and names each partition", () => {
    expect(partitionName("pm", 0, 1)).toBe("pm");
    expect(partitionNames("pm", 2)).toEqual(["pm#0/2", "pm#1/2"]);
  });

  it("has replica i prefer the partitions k with k % replicas = i", () => {
    const preferred = (replicaIndex: number) =>
      [0, 1, 2, 3].filter((k) => prefers({ count: 4, replicas: 2, replicaIndex }, k));
    expect([preferred(0), preferred(1)]).toEqual([
      [0, 2],
      [1, 3],
    ]);
    expect([0, 1].filter((k) => prefers({ count: 2, replicaIndex: 1 }, k))).toEqual([1]);
  });
});
