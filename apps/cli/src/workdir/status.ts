import { canonicalJson, compareCodePoints, type JsonValue, type State } from "@statecast/state";
import type { Workdir } from "./layout.js";
import { readCommitted, readIndex, STATE_SPEC } from "./meta.js";
import { scanTree, type TreeEntry } from "./scan.js";

export type ChangeKind = "added" | "modified" | "deleted" | "untracked";

/** One path that differs from the last commit. */
export interface PathChange {
  path: string;
  change: ChangeKind;
}

/** The working tree compared with the last commit. */
export interface WorkdirStatus {
  committed: State;
  tree: Map<string, TreeEntry>;
  /** sorted by path; `untracked` files are not part of the next commit until added. */
  changes: PathChange[];
  /** the state `commit` would record now. */
  working: State;
}

/** Compares the working tree with the committed state. */
export async function workdirStatus(wd: Workdir): Promise<WorkdirStatus> {
  const committed = await readCommitted(wd);
  const index = new Set(await readIndex(wd));
  const tree = await scanTree(wd, committed);
  const changes: PathChange[] = [];
  const working: State = { "#spec": committed["#spec"] ?? STATE_SPEC };
  for (const [path, entry] of tree) {
    const before = committed[path];
    if (before === undefined) {
      changes.push({ path, change: index.has(path) ? "added" : "untracked" });
      if (index.has(path)) working[path] = entryValue(entry);
      continue;
    }
    working[path] = entryValue(entry);
    if (!sameValue(entry, before)) changes.push({ path, change: "modified" });
  }
  for (const path of Object.keys(committed)) {
    if (path !== "#spec" && !tree.has(path)) changes.push({ path, change: "deleted" });
  }
  changes.sort((a, b) => compareCodePoints(a.path, b.path));
  return { committed, tree, changes, working };
}

/** True when something would be committed (untracked files do not count). */
export function hasUncommitted(status: WorkdirStatus): boolean {
  return status.changes.some((c) => c.change !== "untracked");
}

/** The state value a tree entry stands for: inline JSON, or the object's sha256. */
export function entryValue(entry: TreeEntry): JsonValue {
  return entry.kind === "json" ? entry.value : entry.sha;
}

function sameValue(entry: TreeEntry, before: JsonValue): boolean {
  if (entry.kind === "object") return entry.sha === before;
  return canonicalJson(entry.value) === canonicalJson(before);
}
