import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalStore } from "../store/local-store.js";
import { DirObjectSource } from "./dir-source.js";
import { fetchMissingObjects, retryDelayMs } from "./fetch-objects.js";
import { ObjectUnavailable } from "./object-source.js";

describe("fetchMissingObjects", () => {
  const dir = mkdtempSync(join(tmpdir(), "statecast-fetch-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const setup = async () => {
    const body = Buffer.from("object body");
    const id = createHash("sha256").update(body).digest("hex");
    const source = join(dir, `src-${Math.random()}`);
    rmSync(source, { recursive: true, force: true });
    mkdirSync(source);
    writeFileSync(join(source, id), body);
    const store = new LocalStore(join(dir, `store-${Math.random()}`));
    await store.init();
    return { id, store, source: new DirObjectSource(source) };
  };
  const options = (retries: Error[]) => ({
    concurrency: 1,
    signal: new AbortController().signal,
    onProgress: () => undefined,
    onRetry: (_id: string, error: Error) => void retries.push(error),
  });

  it("retries a size lookup that times out (a JetStream request), then fetches", async () => {
    const { id, store, source } = await setup();
    let lookups = 0;
    const flaky = Object.assign(Object.create(source), {
      size: async (object: string) => {
        if (++lookups === 1) throw new Error("timeout");
        return source.size(object);
      },
    });
    const retries: Error[] = [];
    const counters = await fetchMissingObjects(store, flaky, [id], options(retries));
    expect(retries.map((e) => e.message)).toEqual(["timeout"]);
    expect(counters).toMatchObject({ objects: 1, objectsFetched: 1 });
    expect(await store.hasObject(id)).toBe(true);
  });

  it("looks the objects up `concurrency` at a time, not one after another", async () => {
    const { store, source } = await setup();
    const bodies = ["one", "two", "three", "four", "five"].map((b) => Buffer.from(b));
    const ids = bodies.map((b) => createHash("sha256").update(b).digest("hex"));
    for (const [i, body] of bodies.entries()) writeFileSync(join(source.dir, ids[i]!), body);
    let inFlight = 0;
    let most = 0;
    const slow = Object.assign(Object.create(source), {
      size: async (object: string) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return source.size(object);
      },
    });
    const counters = await fetchMissingObjects(store, slow, ids, {
      ...options([]),
      concurrency: 3,
    });
    expect(most).toBe(3);
    expect(counters).toMatchObject({ objects: 5, objectsFetched: 5, totalBytes: 19 });
    for (const id of ids) expect(await store.hasObject(id)).toBe(true);
  });

  it("resumes from the partial file, hashing the bytes already there with the rest", async () => {
    const { id, store, source } = await setup();
    writeFileSync(join(store.partialDir, id), "object ");
    const counters = await fetchMissingObjects(store, source, [id], options([]));
    expect(counters).toMatchObject({ objectsFetched: 1, resumedBytes: 7, fetchedBytes: 4 });
    expect(readFileSync(store.objectPath(id), "utf8")).toBe("object body");
  });

  it("refuses a resumed object whose earlier bytes are wrong, and drops the partial file", async () => {
    const { id, store, source } = await setup();
    writeFileSync(join(store.partialDir, id), "OBJECT ");
    await expect(fetchMissingObjects(store, source, [id], options([]))).rejects.toMatchObject({
      name: "ApplyError",
      reason: "object_hash_mismatch",
    });
    expect(existsSync(join(store.partialDir, id))).toBe(false);
    expect(await store.hasObject(id)).toBe(false);
  });

  it("starts over when the source can only resume at an earlier point", async () => {
    const { id, store, source } = await setup();
    writeFileSync(join(store.partialDir, id), "OBJECT ");
    const fromStart = Object.assign(Object.create(source), {
      open: (object: string, _offset: number, signal: AbortSignal) =>
        source.open(object, 0, signal),
    });
    await fetchMissingObjects(store, fromStart, [id], options([]));
    expect(readFileSync(store.objectPath(id), "utf8")).toBe("object body");
  });

  it("does not retry an object the source does not have", async () => {
    const { store, source } = await setup();
    const retries: Error[] = [];
    await expect(
      fetchMissingObjects(store, source, ["0".repeat(64)], options(retries)),
    ).rejects.toMatchObject({ name: "ApplyError", reason: "object_missing" });
    expect(retries).toEqual([]);
  });

  it("asks again for an object the source cannot serve now, then fetches it", async () => {
    const { id, store, source } = await setup();
    let opens = 0;
    const busy = Object.assign(Object.create(source), {
      open: (object: string, offset: number, signal: AbortSignal) => {
        if (++opens <= 2) throw new ObjectUnavailable("gateway busy", 10);
        return source.open(object, offset, signal);
      },
    });
    const retries: Error[] = [];
    const counters = await fetchMissingObjects(store, busy, [id], options(retries));
    expect(retries.map((e) => e.name)).toEqual(["ObjectUnavailable", "ObjectUnavailable"]);
    expect(counters).toMatchObject({ objects: 1, objectsFetched: 1 });
    expect(await store.hasObject(id)).toBe(true);
  });

  it("gives up on a source still unavailable after the last attempt: object_unavailable", async () => {
    const { id, store, source } = await setup();
    const busy = Object.assign(Object.create(source), {
      open: () => Promise.reject(new ObjectUnavailable("gateway busy")),
    });
    const retries: Error[] = [];
    await expect(
      fetchMissingObjects(store, busy, [id], { ...options(retries), attempts: 2 }),
    ).rejects.toMatchObject({ name: "ApplyError", reason: "object_unavailable" });
    expect(retries).toHaveLength(1);
  });
});

describe("retryDelayMs", () => {
  it("backs off exponentially to 5 s, spread over half to one and a half of it", () => {
    expect(retryDelayMs(1, 0, () => 0)).toBe(200);
    expect(retryDelayMs(1, 0, () => 1)).toBe(600);
    expect(retryDelayMs(3, 0, () => 0.5)).toBe(1600);
    expect(retryDelayMs(10, 0, () => 0.999)).toBeLessThanOrEqual(7500);
  });

  it("waits at least the source's hint, itself spread", () => {
    expect(retryDelayMs(1, 2000, () => 0)).toBe(2000);
    expect(retryDelayMs(1, 2000, () => 1)).toBe(3000);
  });
});
