import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  canonicalJson,
  isJsonObject,
  type JsonValue,
  parseJson,
  type State,
  stateDigest,
} from "@statecast/state";
import type { Workdir } from "./layout.js";
import { WorkdirError } from "./workdir-error.js";

export const STATE_SPEC = "pantavisor-service-system@1";

/** What the working directory tracks on a server; filled by `clone`, used by `post`. */
export interface WorkdirConfig {
  remote: string | null;
  fleet: string | null;
  /** the server revision the committed state was cloned from or last posted as. */
  revision: number | null;
}

/** One local commit. */
export interface CommitEntry {
  digest: string;
  parent: string | null;
  message: string;
  at: string;
}

/** The committed state of the working directory. */
export async function readCommitted(wd: Workdir): Promise<State> {
  return parseStateText(await readText(wd.stateFile), wd.stateFile);
}

export function parseStateText(text: string, where: string): State {
  let value: JsonValue;
  try {
    value = parseJson(text);
  } catch (cause) {
    throw new WorkdirError("corrupt_meta", `${where} is not valid JSON`, false, { cause });
  }
  if (!isJsonObject(value)) throw new WorkdirError("corrupt_meta", `${where} is not a JSON object`);
  return value;
}

/** Records `state` as committed (and in the revision history); returns its digest. */
export async function writeCommitted(wd: Workdir, state: State): Promise<string> {
  const text = canonicalJson(state);
  const digest = stateDigest(state);
  await mkdir(wd.revisionsDir, { recursive: true });
  await writeAtomic(join(wd.revisionsDir, digest), text);
  await writeAtomic(wd.stateFile, text);
  return digest;
}

/** Paths added with `add` since the last commit, sorted. */
export async function readIndex(wd: Workdir): Promise<string[]> {
  const value = metaJson(await readText(wd.indexFile, "[]"), wd.indexFile);
  if (!Array.isArray(value) || value.some((p) => typeof p !== "string"))
    throw new WorkdirError("corrupt_meta", `${wd.indexFile} is not a list of paths`);
  return value as string[];
}

export async function writeIndex(wd: Workdir, paths: Iterable<string>): Promise<void> {
  await writeAtomic(wd.indexFile, `${JSON.stringify([...new Set(paths)].sort())}\n`);
}

export async function readConfig(wd: Workdir): Promise<WorkdirConfig> {
  const value = metaJson(
    await readText(wd.configFile, "{}"),
    wd.configFile,
  ) as Partial<WorkdirConfig>;
  return {
    remote: value.remote ?? null,
    fleet: value.fleet ?? null,
    revision: value.revision ?? null,
  };
}

export async function writeConfig(wd: Workdir, config: WorkdirConfig): Promise<void> {
  await writeAtomic(wd.configFile, `${JSON.stringify(config, null, 2)}\n`);
}

export async function readLog(wd: Workdir): Promise<CommitEntry[]> {
  const text = await readText(wd.logFile, "");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => metaJson(line, wd.logFile) as CommitEntry);
}

export async function appendLog(wd: Workdir, entry: CommitEntry): Promise<void> {
  const text = await readText(wd.logFile, "");
  await writeAtomic(wd.logFile, `${text}${JSON.stringify(entry)}\n`);
}

/** Finds a committed state in the history by digest or unique digest prefix (≥ 4 chars). */
export async function readRevision(
  wd: Workdir,
  rev: string,
): Promise<{ digest: string; state: State }> {
  if (!/^[0-9a-f]{4,64}$/.test(rev))
    throw new WorkdirError(
      "bad_revision",
      `"${rev}" is not a state digest (4–64 hex characters)`,
      true,
    );
  const matches = (await readLog(wd)).map((e) => e.digest).filter((d) => d.startsWith(rev));
  const unique = [...new Set(matches)];
  if (unique.length === 0)
    throw new WorkdirError(
      "unknown_revision",
      `no committed revision starts with ${rev}; see \`statecast log\``,
      true,
    );
  if (unique.length > 1)
    throw new WorkdirError(
      "ambiguous_revision",
      `${rev} matches ${unique.length} revisions; give more characters`,
      true,
    );
  const digest = unique[0] as string;
  const path = join(wd.revisionsDir, digest);
  return { digest, state: parseStateText(await readText(path), path) };
}

function metaJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new WorkdirError(
      "corrupt_meta",
      `${where} is damaged (not JSON); restore it or re-import the working directory`,
      false,
      { cause },
    );
  }
}

async function readText(path: string, fallback?: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    if (fallback !== undefined && (cause as NodeJS.ErrnoException).code === "ENOENT")
      return fallback;
    throw new WorkdirError(
      "corrupt_meta",
      `cannot read ${path}: ${(cause as Error).message}`,
      false,
      {
        cause,
      },
    );
  }
}

export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, data);
  await rename(temp, path);
}
