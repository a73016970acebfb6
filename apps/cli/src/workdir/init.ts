import { lstat, mkdir } from "node:fs/promises";
import { type Workdir, workdirAt } from "./layout.js";
import {
  appendLog,
  STATE_SPEC,
  type WorkdirConfig,
  writeCommitted,
  writeConfig,
  writeIndex,
} from "./meta.js";
import { WorkdirError } from "./workdir-error.js";

/** Creates `.statecast/` in `dir` with an empty committed state; existing files stay untracked. */
export async function initWorkdir(
  dir: string,
  config: Partial<WorkdirConfig> = {},
  now = new Date(),
): Promise<Workdir> {
  const wd = workdirAt(dir);
  if (await exists(wd.meta))
    throw new WorkdirError(
      "already_initialized",
      `${wd.root} is already a statecast working directory`,
      true,
    );
  await mkdir(wd.objectsDir, { recursive: true });
  const state = { "#spec": STATE_SPEC };
  const digest = await writeCommitted(wd, state);
  await writeIndex(wd, []);
  await writeConfig(wd, {
    remote: config.remote ?? null,
    fleet: config.fleet ?? null,
    revision: config.revision ?? null,
  });
  await appendLog(wd, { digest, parent: null, message: "init", at: now.toISOString() });
  return wd;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
