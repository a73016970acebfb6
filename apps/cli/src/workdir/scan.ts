import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  assertSafePath,
  holdsObjectId,
  type JsonValue,
  parseJson,
  type State,
  UnsafePathError,
} from "@statecast/state";
import { META_DIR, type Workdir } from "./layout.js";
import { WorkdirError } from "./workdir-error.js";

/** A file of the working tree, as it would enter the state. */
export type TreeEntry =
  | { kind: "json"; value: JsonValue }
  | { kind: "object"; sha: string; size: number; file: string };

/**
 * Reads the working tree (everything but `.statecast/`) into state entries. `.json` files
 * become inline JSON, unless the committed state keeps that key as an object; every other
 * file is hashed. Unsafe names, symlinks and special files are refused with the path named.
 */
export async function scanTree(wd: Workdir, committed: State): Promise<Map<string, TreeEntry>> {
  const entries = new Map<string, TreeEntry>();
  for (const path of await listFiles(wd.root, "")) {
    entries.set(path, await readEntry(join(wd.root, path), path, committed));
  }
  return entries;
}

/** Relative paths of the regular files under `dir` (sorted), refusing anything else. */
export async function listFiles(root: string, prefix: string): Promise<string[]> {
  const dir = prefix ? join(root, prefix) : root;
  const names = (await readdir(dir)).sort();
  const files: string[] = [];
  for (const name of names) {
    if (!prefix && name === META_DIR) continue;
    const path = prefix ? `${prefix}/${name}` : name;
    safePath(path);
    const info = await lstat(join(root, path));
    if (info.isDirectory()) files.push(...(await listFiles(root, path)));
    else if (info.isFile()) files.push(path);
    else refuseSpecial(path, info.isSymbolicLink());
  }
  return files;
}

async function readEntry(file: string, path: string, committed: State): Promise<TreeEntry> {
  if (path === "#spec")
    throw new WorkdirError(
      "reserved_path",
      `"#spec" is reserved for the state's spec; rename that file`,
    );
  const before = committed[path];
  const asObject = !path.endsWith(".json") || (before !== undefined && holdsObjectId(path, before));
  if (asObject) return { kind: "object", file, ...(await hashFile(file)) };
  const text = await readFile(file, "utf8");
  try {
    return { kind: "json", value: parseJson(text) };
  } catch (cause) {
    throw new WorkdirError(
      "invalid_json",
      `${path} is not valid JSON (${(cause as Error).message}); files ending in .json are inline JSON — fix it or rename it`,
      false,
      { cause },
    );
  }
}

/** Streams a file through sha256. */
export async function hashFile(file: string): Promise<{ sha: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha: hash.digest("hex"), size };
}

/** assertSafePath, rethrown as a WorkdirError that says what to do. */
export function safePath(path: string): void {
  try {
    assertSafePath(path);
  } catch (cause) {
    if (!(cause instanceof UnsafePathError)) throw cause;
    throw new WorkdirError("unsafe_path", `${cause.message}; rename it`, false, { cause });
  }
}

function refuseSpecial(path: string, symlink: boolean): never {
  const what = symlink ? "a symbolic link" : "not a regular file (device, socket or FIFO)";
  throw new WorkdirError(
    symlink ? "symlink_refused" : "special_file_refused",
    `${path} is ${what}; a state holds regular files only — replace it with a plain file or remove it`,
  );
}
