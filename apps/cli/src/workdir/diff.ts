import { holdsObjectId, type JsonValue } from "@statecast/state";
import { diffJson, type JsonChange } from "./json-text.js";
import type { Workdir } from "./layout.js";
import { type ChangeKind, entryValue, workdirStatus } from "./status.js";

/** How one path differs from the last commit. */
export type PathDiff =
  | { path: string; change: ChangeKind; kind: "json"; changes: JsonChange[] }
  | {
      path: string;
      change: ChangeKind;
      kind: "object";
      before: string | null;
      after: string | null;
      afterSize: number | null;
    };

/** Per-path differences of tracked and added files (optionally only under `paths`). */
export async function diffWorkdir(wd: Workdir, paths: string[] = []): Promise<PathDiff[]> {
  const status = await workdirStatus(wd);
  const wanted = (p: string) =>
    paths.length === 0 ||
    paths.some((q) => p === q.replace(/\/+$/, "") || p.startsWith(`${q.replace(/\/+$/, "")}/`));
  const diffs: PathDiff[] = [];
  for (const { path, change } of status.changes) {
    if (change === "untracked" || !wanted(path)) continue;
    const before = status.committed[path];
    const entry = status.tree.get(path);
    const after = entry ? entryValue(entry) : undefined;
    const isObject = entry
      ? entry.kind === "object"
      : before !== undefined && holdsObjectId(path, before);
    if (isObject) {
      diffs.push({
        path,
        change,
        kind: "object",
        before: typeof before === "string" ? before : null,
        after: typeof after === "string" ? after : null,
        afterSize: entry?.kind === "object" ? entry.size : null,
      });
    } else {
      diffs.push({ path, change, kind: "json", changes: jsonChanges(before, after) });
    }
  }
  return diffs;
}

function jsonChanges(before: JsonValue | undefined, after: JsonValue | undefined): JsonChange[] {
  if (before === undefined) return [{ op: "add", pointer: "", after: after as JsonValue }];
  if (after === undefined) return [{ op: "remove", pointer: "", before }];
  return diffJson(before, after);
}
