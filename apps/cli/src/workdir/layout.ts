import { lstat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { WorkdirError } from "./workdir-error.js";

/** The metadata directory, like pvr's `.pvr/`. */
export const META_DIR = ".statecast";

/** Where a working directory keeps what it knows. */
export interface Workdir {
  /** the directory whose files are the state's paths. */
  root: string;
  meta: string;
  /** committed state, canonical JSON (what `post` will send). */
  stateFile: string;
  /** content-addressed objects of every committed or imported revision. */
  objectsDir: string;
  /** paths added but not committed yet. */
  indexFile: string;
  /** remote / fleet tracking, for `clone` and `post`. */
  configFile: string;
  /** earlier committed states by digest, for `checkout REV`. */
  revisionsDir: string;
  /** one line per commit: digest, parent, time, message. */
  logFile: string;
}

/** The layout of a working directory rooted at `root` (nothing is read). */
export function workdirAt(root: string): Workdir {
  const abs = resolve(root);
  const meta = join(abs, META_DIR);
  return {
    root: abs,
    meta,
    stateFile: join(meta, "json"),
    objectsDir: join(meta, "objects"),
    indexFile: join(meta, "index.json"),
    configFile: join(meta, "config.json"),
    revisionsDir: join(meta, "revisions"),
    logFile: join(meta, "log.ndjson"),
  };
}

/** Finds the working directory containing `from` (itself or a parent), like git does. */
export async function findWorkdir(from: string): Promise<Workdir> {
  let dir = resolve(from);
  for (;;) {
    if (await isDirectory(join(dir, META_DIR))) return workdirAt(dir);
    const parent = dirname(dir);
    if (parent === dir)
      throw new WorkdirError(
        "not_a_workdir",
        `${resolve(from)} is not inside a statecast working directory; run \`statecast init\` or \`statecast import\` first`,
        true,
      );
    dir = parent;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isDirectory();
  } catch {
    return false;
  }
}
