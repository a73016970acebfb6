import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deltaOffersName, makeDelta } from "@statecast/state";
import { LocalStore } from "../store/local-store.js";
import { DirObjectSource } from "./dir-source.js";
import { fetchMissingObjects } from "./fetch-objects.js";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("fetchMissingObjects with object deltas (real xdelta3)", () => {
  const dir = mkdtempSync(join(tmpdir(), "statecast-fetch-delta-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A store holding `old`, a source holding `next`, and a delta old → next offered for it. */
  const setup = async (spoil?: (delta: Buffer) => Buffer, rebuilds?: (old: Buffer) => Buffer) => {
    const work = mkdtempSync(join(dir, "case-"));
    const old = randomBytes(256 * 1024);
    const next = Buffer.concat([old.subarray(0, 1000), Buffer.from("changed"), old.subarray(1000)]);
    const source = join(work, "source");
    mkdirSync(source);
    writeFileSync(join(source, sha(next)), next);
    writeFileSync(join(work, "old"), old);
    writeFileSync(join(work, "next"), rebuilds ? rebuilds(old) : next);
    await makeDelta("xdelta3", join(work, "old"), join(work, "next"), join(work, "d"), old.length);
    const delta = (spoil ?? ((d) => d))(readFileSync(join(work, "d")));
    writeFileSync(join(source, sha(delta)), delta);
    const manifest = {
      id: sha(delta),
      from: sha(old),
      to: sha(next),
      algo: "xdelta3",
      size: delta.length,
    };
    writeFileSync(join(source, deltaOffersName(sha(next))), JSON.stringify({ offers: [manifest] }));
    const store = new LocalStore(join(work, "store"));
    await store.init();
    writeFileSync(store.objectPath(sha(old)), old);
    return { store, source: new DirObjectSource(source), next, delta };
  };
  const fetch = (store: LocalStore, source: DirObjectSource, id: string, fallbacks: Error[] = []) =>
    fetchMissingObjects(store, source, [id], {
      concurrency: 1,
      signal: new AbortController().signal,
      onProgress: () => undefined,
      onDeltaFallback: (_id, error) => void fallbacks.push(error),
    });

  it("rebuilds the object from a delta of an object it holds, fetching only the delta", async () => {
    const { store, source, next, delta } = await setup();
    const counters = await fetch(store, source, sha(next));
    expect(counters).toMatchObject({
      neededBytes: next.length,
      fetchedBytes: delta.length,
      deltaBytes: delta.length,
      deltaObjects: 1,
      objectsFetched: 1,
    });
    expect(delta.length).toBeLessThan(next.length / 50);
    expect(sha(readFileSync(store.objectPath(sha(next))))).toBe(sha(next));
  });

  it("falls back to the full object when the delta rebuilds something else", async () => {
    // A well-formed delta (its own sha256 checks, xdelta3 applies it) that yields other bytes.
    const other = (old: Buffer) => Buffer.concat([Buffer.from("other"), old]);
    const { store, source, next, delta } = await setup(undefined, other);
    const fallbacks: Error[] = [];
    const counters = await fetch(store, source, sha(next), fallbacks);
    expect(fallbacks.map((e) => e.message)).toEqual([expect.stringMatching(/rebuilt .* as /)]);
    expect(counters).toMatchObject({ deltaObjects: 0, fetchedBytes: delta.length + next.length });
    expect(sha(readFileSync(store.objectPath(sha(next))))).toBe(sha(next));
    expect(statSync(store.objectPath(sha(next))).size).toBe(next.length);
  });

  it("falls back to the full object when the delta's bytes do not match its id", async () => {
    const { store, source, next, delta } = await setup();
    writeFileSync(join(source.dir, sha(delta)), Buffer.alloc(delta.length));
    const fallbacks: Error[] = [];
    const counters = await fetch(store, source, sha(next), fallbacks);
    expect(fallbacks.map((e) => e.message).join()).toMatch(/hashes to/);
    expect(counters).toMatchObject({ deltaObjects: 0 });
    expect(sha(readFileSync(store.objectPath(sha(next))))).toBe(sha(next));
  });
});
