import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalStore } from "../store/local-store.js";
import { DirObjectSource } from "./dir-source.js";
import { fetchMissingObjects } from "./fetch-objects.js";

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

  it("does not retry an object the source does not have", async () => {
    const { store, source } = await setup();
    const retries: Error[] = [];
    await expect(
      fetchMissingObjects(store, source, ["0".repeat(64)], options(retries)),
    ).rejects.toMatchObject({ name: "ApplyError", reason: "object_missing" });
    expect(retries).toEqual([]);
  });
});
