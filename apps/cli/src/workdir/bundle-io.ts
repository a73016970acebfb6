import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { partOfKey, readBundle, type State, stateDigest, writeBundle } from "@statecast/state";
import { bundleDeltas } from "./bundle-deltas.js";
import { checkout } from "./checkout.js";
import { initWorkdir } from "./init.js";
import type { Workdir } from "./layout.js";
import { appendLog, readCommitted, readLog, readRevision, writeCommitted } from "./meta.js";
import { objectStore } from "./objects.js";
import { WorkdirError } from "./workdir-error.js";

export interface ExportResult {
  file: string;
  digest: string;
  parts: string[] | null;
  keys: number;
  objects: number;
  objectBytes: number;
  /** With `--delta-from`: the deltas carried instead of full objects. */
  deltas?: number;
}

/** Writes the committed state (or only some parts of it) as a pvr bundle; .tgz/.tar.gz → gzip. */
export async function exportBundle(
  wd: Workdir,
  file: string,
  parts: string[] | null = null,
  deltaFrom?: string,
): Promise<ExportResult> {
  const committed = await readCommitted(wd);
  const state = parts ? selectParts(committed, parts) : committed;
  const held = deltaFrom ? (await readRevision(wd, deltaFrom)).state : undefined;
  const deltas = held ? await bundleDeltas(objectStore(wd), held, state) : [];
  const temp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}`);
  try {
    const written = await writeBundle(createWriteStream(temp), {
      state,
      store: objectStore(wd),
      gzip: /\.(tgz|tar\.gz)$/.test(file),
      deltas,
    });
    await rename(temp, file);
    const keys = Object.keys(state).length;
    return {
      file,
      digest: stateDigest(state),
      parts,
      keys,
      ...written,
      ...(held ? { deltas: deltas.length } : {}),
    };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The keys of the given parts (containers, `bsp`, their `_config/` and `_sigs/`), plus `#spec`. */
export function selectParts(state: State, parts: string[]): State {
  const selected: State = {};
  for (const [key, value] of Object.entries(state)) {
    if (key === "#spec" || parts.includes(partOfKey(key))) selected[key] = value;
  }
  const empty = parts.filter(
    (p) => !Object.keys(state).some((k) => k !== "#spec" && partOfKey(k) === p),
  );
  if (empty.length > 0)
    throw new WorkdirError(
      "unknown_part",
      `the committed state has no part ${empty.map((p) => JSON.stringify(p)).join(", ")}; see \`statecast status\` or the state's keys`,
      true,
    );
  return selected;
}

export interface ImportResult {
  dir: string;
  digest: string;
  keys: number;
  objects: number;
  files: number;
}

/** Creates a working directory in `dir` (missing or empty) from a pvr bundle, objects verified. */
export async function importBundle(file: string, dir: string): Promise<ImportResult> {
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0)
    throw new WorkdirError(
      "target_not_empty",
      `${dir} is not empty; import into a new or empty directory`,
      true,
    );
  try {
    const wd = await initWorkdir(dir);
    const content = await readBundle(createReadStream(file), { targetStore: objectStore(wd) });
    if (content.missing.length > 0)
      throw new WorkdirError(
        "bundle_incomplete",
        `${file} lacks ${content.missing.length} object(s) its state needs (${content.missing.slice(0, 3).join(", ")}); export it again with its objects`,
      );
    return await adopt(wd, content.state, `import ${basename(file)}`, content.objects.length);
  } catch (error) {
    // Leave the directory as empty as it was found.
    for (const name of await readdir(dir))
      await rm(join(dir, name), { recursive: true, force: true });
    throw error;
  }
}

async function adopt(wd: Workdir, state: State, message: string, objects: number) {
  const parent = (await readLog(wd)).at(-1)?.digest ?? null;
  const digest = await writeCommitted(wd, state);
  await appendLog(wd, { digest, parent, message, at: new Date().toISOString() });
  const result = await checkout(wd, { force: true });
  return {
    dir: wd.root,
    digest,
    keys: Object.keys(state).length,
    objects,
    files: result.written.length,
  };
}
