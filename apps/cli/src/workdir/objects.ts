import { createReadStream } from "node:fs";
import { FsObjectStore, holdsObjectId } from "@statecast/state";
import type { Workdir } from "./layout.js";
import { readCommitted } from "./meta.js";
import { WorkdirError } from "./workdir-error.js";

/** The working directory's content-addressed object store (`.statecast/objects/<sha>`). */
export function objectStore(wd: Workdir): FsObjectStore {
  return new FsObjectStore(wd.objectsDir);
}

/** Stores a working-tree file under its sha256 (verified while streaming); idempotent. */
export async function storeFile(store: FsObjectStore, file: string, sha: string, size: number) {
  return store.put(sha, createReadStream(file), { size });
}

/** One object of the committed state, with the keys that name it. */
export interface CommittedObject {
  sha: string;
  size: number;
  paths: string[];
}

/**
 * The objects the committed state references, sorted by sha, each found in the store — what
 * `post` offers the server (which then asks only for those it lacks).
 */
export async function committedObjects(wd: Workdir): Promise<CommittedObject[]> {
  const state = await readCommitted(wd);
  const byId = new Map<string, string[]>();
  for (const [path, value] of Object.entries(state)) {
    if (!holdsObjectId(path, value) || typeof value !== "string") continue;
    byId.set(value, [...(byId.get(value) ?? []), path]);
  }
  const store = objectStore(wd);
  const objects: CommittedObject[] = [];
  for (const sha of [...byId.keys()].sort()) {
    const found = await store.stat(sha);
    if (!found)
      throw new WorkdirError(
        "object_missing",
        `object ${sha} (${byId.get(sha)?.join(", ")}) is missing from ${wd.objectsDir}; re-import or re-commit it`,
      );
    objects.push({ sha, size: found.size, paths: byId.get(sha) ?? [] });
  }
  return objects;
}
