import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, rmdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import {
  canonicalJson,
  holdsObjectId,
  type JsonValue,
  type State,
  stateDigest,
} from "@statecast/state";
import { prettyJson } from "./json-text.js";
import type { Workdir } from "./layout.js";
import {
  appendLog,
  readLog,
  readRevision,
  writeAtomic,
  writeCommitted,
  writeIndex,
} from "./meta.js";
import { objectStore } from "./objects.js";
import { safePath } from "./scan.js";
import { hasUncommitted, workdirStatus } from "./status.js";
import { WorkdirError } from "./workdir-error.js";

export interface CheckoutOptions {
  /** a digest (prefix) from the local history; default: the last commit. */
  rev?: string;
  /** discard uncommitted changes instead of refusing. */
  force?: boolean;
}

export interface CheckoutResult {
  digest: string;
  written: string[];
  removed: string[];
}

/** Makes the working tree match a committed state (untracked files are left alone). */
export async function checkout(
  wd: Workdir,
  options: CheckoutOptions = {},
): Promise<CheckoutResult> {
  const status = await workdirStatus(wd);
  const pending = status.changes.filter((c) => c.change !== "untracked");
  if (hasUncommitted(status) && !options.force) {
    const sample = pending
      .slice(0, 5)
      .map((c) => `${c.change} ${c.path}`)
      .join(", ");
    throw new WorkdirError(
      "uncommitted_changes",
      `${pending.length} uncommitted change(s) (${sample}); commit them, or use --force to discard them`,
      true,
    );
  }
  const log = await readLog(wd);
  const current = log.at(-1)?.digest ?? null;
  const target = options.rev ? await readRevision(wd, options.rev) : null;
  const state: State = target?.state ?? status.committed;
  const store = objectStore(wd);
  const written: string[] = [];
  for (const [path, value] of Object.entries(state)) {
    if (path === "#spec") continue;
    safePath(path);
    const entry = status.tree.get(path);
    const file = join(wd.root, path);
    if (holdsObjectId(path, value)) {
      const sha = value as string;
      if (entry?.kind === "object" && entry.sha === sha) continue;
      if (!(await store.has(sha)))
        throw new WorkdirError(
          "object_missing",
          `object ${sha} for ${path} is not in ${wd.objectsDir}; import the bundle that holds it again`,
        );
      await prepareParent(wd, path);
      const temp = `${file}.tmp-${process.pid}`;
      await pipeline(await store.openRead(sha), createWriteStream(temp));
      await rename(temp, file);
    } else {
      if (entry?.kind === "json" && canonicalJson(entry.value) === canonicalJson(value)) continue;
      await prepareParent(wd, path);
      await writeAtomic(file, `${prettyJson(value as JsonValue)}\n`);
    }
    written.push(path);
  }
  // Only committed files are removed (their content stays in the store); files added but
  // never committed are kept and simply become untracked again.
  const tracked = new Set(Object.keys(status.committed));
  const removed: string[] = [];
  for (const path of tracked) {
    if (path === "#spec" || state[path] !== undefined || !status.tree.has(path)) continue;
    await rm(join(wd.root, path), { force: true });
    await removeEmptyParents(wd, path);
    removed.push(path);
  }
  let digest = stateDigest(status.committed);
  if (target) {
    digest = await writeCommitted(wd, target.state);
    if (digest !== current)
      await appendLog(wd, {
        digest,
        parent: current,
        message: `checkout ${digest}`,
        at: new Date().toISOString(),
      });
  }
  await writeIndex(wd, []);
  return { digest, written, removed };
}

async function prepareParent(wd: Workdir, path: string): Promise<void> {
  try {
    await mkdir(dirname(join(wd.root, path)), { recursive: true });
  } catch (cause) {
    throw new WorkdirError(
      "path_conflict",
      `cannot create the directory for ${path}: a file is in the way (${(cause as Error).message}); move it`,
      false,
      { cause },
    );
  }
}

async function removeEmptyParents(wd: Workdir, path: string): Promise<void> {
  let dir = dirname(path);
  while (dir !== "." && dir !== "") {
    try {
      await rmdir(join(wd.root, dir));
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}
