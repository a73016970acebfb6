import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import * as tar from "tar-stream";
import { BundleError } from "../errors.js";
import { canonicalJson } from "../json/canonical-json.js";
import { loadState } from "../model/parse-state.js";
import type { State } from "../model/types.js";
import type { ObjectStore } from "../store/object-store.js";
import type { BundleDelta } from "./read-bundle.js";

/** What to bundle: a valid state and the store holding its objects. */
export interface WriteBundleOptions {
  state: State;
  store: ObjectStore;
  /** gzip the tar (pvr export writes .tgz); default false. */
  gzip?: boolean;
  /**
   * Deltas (in `store`, under their id) to carry instead of the objects they rebuild, for
   * devices that hold their `from` objects; listed in the member `deltas.json`.
   */
  deltas?: BundleDelta[];
}

/** Summary of a written bundle. */
export interface WrittenBundle {
  objects: number;
  objectBytes: number;
}

const EPOCH = new Date(0);

async function addMembers(pack: tar.Pack, options: WriteBundleOptions): Promise<WrittenBundle> {
  const { model } = loadState(options.state);
  const deltas = options.deltas ?? [];
  const replaced = new Set(deltas.map((d) => d.to));
  const members = [
    ...model.objects.filter((sha) => !replaced.has(sha)),
    ...deltas.map((d) => d.id),
  ];
  const sizes: number[] = [];
  for (const sha of members) {
    const found = await options.store.stat(sha);
    if (!found) throw new BundleError("bundle_object_missing", `object ${sha} is not in the store`);
    sizes.push(found.size);
  }
  const json = Buffer.from(canonicalJson(options.state), "utf8");
  await new Promise<void>((resolve, reject) =>
    pack.entry({ name: "json", mode: 0o600, mtime: EPOCH }, json, (e) =>
      e ? reject(e) : resolve(),
    ),
  );
  if (deltas.length > 0) {
    const list = Buffer.from(JSON.stringify(deltas), "utf8");
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: "deltas.json", mode: 0o600, mtime: EPOCH }, list, (e) =>
        e ? reject(e) : resolve(),
      ),
    );
  }
  for (const [i, sha] of members.entries()) {
    const size = sizes[i] as number;
    const sink = pack.entry({ name: `objects/${sha}`, size, mode: 0o444, mtime: EPOCH });
    await pipeline(await options.store.openRead(sha), sink);
  }
  pack.finalize();
  return { objects: sizes.length, objectBytes: sizes.reduce((a, b) => a + b, 0) };
}

/** Writes a pvr export bundle (`json` + `objects/<sha256>`) of `state` to `output`, streaming. */
export async function writeBundle(
  output: Writable,
  options: WriteBundleOptions,
): Promise<WrittenBundle> {
  const pack = tar.pack();
  const writing = options.gzip ? pipeline(pack, createGzip(), output) : pipeline(pack, output);
  try {
    const [written] = await Promise.all([addMembers(pack, options), writing]);
    return written;
  } catch (error) {
    pack.destroy();
    throw error;
  }
}
