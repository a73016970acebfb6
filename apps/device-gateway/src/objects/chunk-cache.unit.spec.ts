import { type Chunk, ChunkCache } from "./chunk-cache.js";

/** A chunk of `size` bytes at stream sequence `seq`. */
const aChunk = (seq: number, size = 10): Chunk => ({ seq, data: new Uint8Array(size).fill(seq) });

/** A read that ends when the test says so, counting how often it was started. */
function readsOf(chunk: Chunk | null) {
  const started = { count: 0 };
  let finish!: (result: Chunk | null | Error) => void;
  const read = () => {
    started.count++;
    return new Promise<Chunk | null>((resolve, reject) => {
      finish = (result) => (result instanceof Error ? reject(result) : resolve(result));
    });
  };
  return { read, started, end: () => finish(chunk), fail: (error: Error) => finish(error) };
}

describe("ChunkCache", () => {
  it("reads a chunk once, then answers from memory with its stream sequence", async () => {
    const cache = new ChunkCache(1_000);
    let reads = 0;
    const read = async () => {
      reads++;
      return aChunk(42);
    };
    expect(await cache.get("n1", 40, read)).toEqual(aChunk(42));
    expect(await cache.get("n1", 40, read)).toEqual(aChunk(42));
    expect(reads).toBe(1);
    expect([cache.hits, cache.shared, cache.misses, cache.bytes]).toEqual([1, 0, 1, 10]);
    // Another sequence, or the same sequence of other content, is another chunk.
    await cache.get("n1", 43, read);
    await cache.get("n2", 40, read);
    expect(reads).toBe(3);
  });

  it("shares one read among concurrent requests for a chunk not held", async () => {
    const cache = new ChunkCache(1_000);
    const pending = readsOf(aChunk(7));
    const answers = Promise.all(Array.from({ length: 50 }, () => cache.get("n", 7, pending.read)));
    pending.end();
    expect(await answers).toEqual(Array.from({ length: 50 }, () => aChunk(7)));
    expect(pending.started.count).toBe(1);
    expect([cache.hits, cache.shared, cache.misses]).toEqual([0, 49, 1]);
  });

  it("remembers neither a failed read nor a chunk not found: the next request reads again", async () => {
    const cache = new ChunkCache(1_000);
    const failing = readsOf(aChunk(1));
    const first = Promise.all([cache.get("n", 1, failing.read), cache.get("n", 1, failing.read)]);
    failing.fail(new Error("timeout"));
    await expect(first).rejects.toThrow("timeout");
    const none = readsOf(null);
    const missing = cache.get("n", 1, none.read);
    none.end();
    expect(await missing).toBeNull();
    const found = readsOf(aChunk(1));
    const answer = cache.get("n", 1, found.read);
    found.end();
    expect(await answer).toEqual(aChunk(1));
    expect([failing.started.count, none.started.count, found.started.count]).toEqual([1, 1, 1]);
    expect([cache.misses, cache.bytes, cache.chunks]).toEqual([3, 10, 1]);
  });

  it("stays under its bytes, dropping the least recently used chunk first", async () => {
    const cache = new ChunkCache(30);
    const read = (seq: number) => async () => aChunk(seq);
    await cache.get("n", 1, read(1));
    await cache.get("n", 2, read(2));
    await cache.get("n", 3, read(3));
    await cache.get("n", 1, read(1)); // used again: 2 is now the oldest
    await cache.get("n", 4, read(4));
    expect([cache.bytes, cache.chunks, cache.evictions]).toEqual([30, 3, 1]);
    const reads = { count: 0 };
    const counted = (seq: number) => async () => {
      reads.count++;
      return aChunk(seq);
    };
    await cache.get("n", 1, counted(1));
    await cache.get("n", 3, counted(3));
    await cache.get("n", 4, counted(4));
    expect(reads.count).toBe(0);
    await cache.get("n", 2, counted(2));
    expect(reads.count).toBe(1);
    expect(cache.bytes).toBeLessThanOrEqual(30);
  });

  it("keeps no chunk larger than its bound, and none at all with a bound of 0", async () => {
    const big = new ChunkCache(5);
    await big.get("n", 1, async () => aChunk(1, 6));
    expect([big.bytes, big.chunks]).toEqual([0, 0]);
    const off = new ChunkCache(0);
    let reads = 0;
    const read = async () => {
      reads++;
      return aChunk(1);
    };
    await off.get("n", 1, read);
    await off.get("n", 1, read);
    expect(reads).toBe(2);
    expect(() => new ChunkCache(-1)).toThrow(/maxBytes must be an integer ≥ 0/);
  });

  it("owns the bytes it keeps (not a view holding a larger buffer) and forgets a content", async () => {
    const cache = new ChunkCache(1_000);
    const buffer = new Uint8Array(100).fill(9);
    await cache.get("old", 1, async () => ({ seq: 1, data: buffer.subarray(10, 20) }));
    await cache.get("old", 2, async () => aChunk(2));
    await cache.get("new", 1, async () => aChunk(5));
    const kept = await cache.get("old", 1, async () => null);
    expect(kept?.data.buffer.byteLength).toBe(10);
    expect(Array.from(kept?.data ?? [])).toEqual(Array(10).fill(9));
    cache.forgetContent("old");
    expect([cache.bytes, cache.chunks]).toEqual([10, 1]);
    expect(await cache.get("old", 1, async () => null)).toBeNull();
    expect((await cache.get("new", 1, async () => null))?.seq).toBe(5);
  });
});
