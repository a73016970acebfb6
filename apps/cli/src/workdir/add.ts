import type { Workdir } from "./layout.js";
import { readIndex, writeIndex } from "./meta.js";
import { safePath } from "./scan.js";
import { workdirStatus } from "./status.js";
import { WorkdirError } from "./workdir-error.js";

/**
 * Marks untracked files for the next commit. `paths` are relative to the working directory
 * (files or directories); none means every untracked file. Returns the paths newly added.
 */
export async function add(wd: Workdir, paths: string[] = []): Promise<string[]> {
  const status = await workdirStatus(wd);
  const untracked = status.changes.filter((c) => c.change === "untracked").map((c) => c.path);
  let chosen: string[];
  if (paths.length === 0) chosen = untracked;
  else {
    chosen = [];
    for (const raw of paths) {
      const path = raw.replace(/\/+$/, "");
      if (path === "" || path === ".") {
        chosen.push(...untracked);
        continue;
      }
      safePath(path);
      const matches = [...status.tree.keys()].filter((p) => p === path || p.startsWith(`${path}/`));
      if (matches.length === 0)
        throw new WorkdirError(
          "no_such_path",
          `${path} matches no file in the working directory`,
          true,
        );
      chosen.push(...matches.filter((p) => untracked.includes(p)));
    }
  }
  const index = await readIndex(wd);
  const fresh = [...new Set(chosen)].filter((p) => !index.includes(p)).sort();
  await writeIndex(wd, [...index, ...fresh]);
  return fresh;
}
