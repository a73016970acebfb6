import { createReadStream } from "node:fs";
import { FsObjectStore } from "@statecast/state";
import type { Workdir } from "./layout.js";

/** The working directory's content-addressed object store (`.statecast/objects/<sha>`). */
export function objectStore(wd: Workdir): FsObjectStore {
  return new FsObjectStore(wd.objectsDir);
}

/** Stores a working-tree file under its sha256 (verified while streaming); idempotent. */
export async function storeFile(store: FsObjectStore, file: string, sha: string, size: number) {
  return store.put(sha, createReadStream(file), { size });
}
