import { parseState } from "@statecast/state";
import type { Workdir } from "./layout.js";
import { appendLog, readLog, writeCommitted, writeIndex } from "./meta.js";
import { objectStore, storeFile } from "./objects.js";
import { hasUncommitted, type PathChange, workdirStatus } from "./status.js";
import { WorkdirError } from "./workdir-error.js";

export interface CommitResult {
  digest: string;
  parent: string | null;
  changes: PathChange[];
  /** objects newly written to the store (already present ones are not counted). */
  objectsStored: number;
}

/** Records the working tree's tracked and added files as the new committed state. */
export async function commit(
  wd: Workdir,
  message: string,
  now = new Date(),
): Promise<CommitResult> {
  if (message.trim() === "")
    throw new WorkdirError(
      "empty_message",
      'a commit needs a message: statecast commit -m "what changed"',
      true,
    );
  const status = await workdirStatus(wd);
  if (!hasUncommitted(status))
    throw new WorkdirError(
      "nothing_to_commit",
      "nothing to commit; change files or `statecast add` new ones first",
    );
  const { errors } = parseState(status.working);
  if (errors.length > 0) {
    const list = errors.map((e) => `${e.key || "(state)"}: ${e.reason}`).join("; ");
    throw new WorkdirError(
      "invalid_state",
      `nothing committed, the state would be invalid: ${list}; fix these files (or add the ones they refer to) and commit again`,
    );
  }
  const store = objectStore(wd);
  let objectsStored = 0;
  for (const [path, entry] of status.tree) {
    if (entry.kind !== "object" || status.working[path] === undefined) continue;
    const put = await storeFile(store, entry.file, entry.sha, entry.size);
    if (put.created) objectsStored++;
  }
  const log = await readLog(wd);
  const parent = log.at(-1)?.digest ?? null;
  const digest = await writeCommitted(wd, status.working);
  await appendLog(wd, { digest, parent, message, at: now.toISOString() });
  await writeIndex(wd, []);
  return {
    digest,
    parent,
    changes: status.changes.filter((c) => c.change !== "untracked"),
    objectsStored,
  };
}
