import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { applyDelta, type DeltaManifest } from "@statecast/state";
import type { LocalStore } from "../store/local-store.js";
import type { ObjectSource } from "./object-source.js";

/** A sha256 of the file's bytes, or of its first `length` (a resumed download's, on disk). */
export async function hashFile(path: string, length?: number): Promise<Hash> {
  const hash = createHash("sha256");
  const range = length === undefined ? {} : { start: 0, end: length - 1 };
  for await (const chunk of createReadStream(path, range)) hash.update(chunk as Buffer);
  return hash;
}

export async function sha256File(path: string): Promise<string> {
  return (await hashFile(path)).digest("hex");
}

/**
 * The smallest delta offered for `id` from an object the store holds, if it is smaller than the
 * full object; offers that cannot be read are ignored (the full object always works).
 */
export async function pickDelta(
  store: LocalStore,
  source: ObjectSource,
  id: string,
  fullSize: number,
): Promise<DeltaManifest | undefined> {
  if (!source.deltaOffers) return undefined;
  const offers = await source.deltaOffers(id).catch(() => []);
  let best: DeltaManifest | undefined;
  for (const offer of offers) {
    if (offer.to !== id || offer.size >= fullSize) continue;
    if (best && best.size <= offer.size) continue;
    if (await store.hasObject(offer.from)) best = offer;
  }
  return best;
}

/**
 * Rebuilds object `delta.to` from the held `delta.from` and the fetched delta file, and moves it
 * into the store only when its sha256 is the object id; otherwise throws (and keeps nothing).
 */
export async function rebuildFromDelta(
  store: LocalStore,
  delta: DeltaManifest,
  deltaPath: string,
): Promise<void> {
  const from = store.objectPath(delta.from);
  const out = join(store.partialDir, `${delta.to}.rebuilt`);
  try {
    await applyDelta(delta.algo, from, deltaPath, out, (await stat(from)).size);
    const actual = await sha256File(out);
    if (actual !== delta.to) throw new Error(`delta ${delta.id} rebuilt ${delta.to} as ${actual}`);
    // On disk before it is named in the store, as a fetched object is: a power cut after the
    // rename must not leave an object whose blocks were never written (it is staged as is).
    const handle = await open(out, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The store's directory is synced once after every object (fetchMissingObjects).
    await rename(out, store.objectPath(delta.to));
  } finally {
    await rm(out, { force: true });
  }
}
