import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type BundleDelta,
  type FsObjectStore,
  makeDelta,
  replacedObjects,
  type State,
} from "@statecast/state";

/** A delta goes into a bundle only when it is at most this share of the object (else the object). */
const MAX_RATIO = 0.5;

/**
 * For `export --delta-from REV`: the deltas from the objects of `held` (what the devices run) to
 * the objects `next` replaces at the same paths, made with xdelta3 and stored in `store` under
 * their sha256; a delta over half its object is left out (the object then goes in whole).
 */
export async function bundleDeltas(
  store: FsObjectStore,
  held: State,
  next: State,
): Promise<BundleDelta[]> {
  const work = await mkdtemp(join(tmpdir(), "statecast-export-delta-"));
  const deltas: BundleDelta[] = [];
  try {
    for (const { from, to } of replacedObjects(held, next)) {
      if (deltas.some((d) => d.to === to) || !(await store.has(from))) continue;
      const out = join(work, to);
      const fromSize = (await stat(store.pathOf(from))).size;
      await makeDelta("xdelta3", store.pathOf(from), store.pathOf(to), out, fromSize);
      const size = (await stat(out)).size;
      const toSize = (await stat(store.pathOf(to))).size;
      if (size > toSize * MAX_RATIO) continue;
      const hash = createHash("sha256");
      for await (const chunk of createReadStream(out)) hash.update(chunk as Buffer);
      const id = hash.digest("hex");
      await store.put(id, createReadStream(out), { size });
      deltas.push({ id, from, to, algo: "xdelta3", size, toSize });
    }
    return deltas;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
