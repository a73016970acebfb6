import { readFile } from "node:fs/promises";
import type { Workdir } from "../workdir/layout.js";
import { readConfig, writeConfig } from "../workdir/meta.js";
import { committedObjects, objectStore } from "../workdir/objects.js";
import { hasUncommitted, workdirStatus } from "../workdir/status.js";
import { WorkdirError } from "../workdir/workdir-error.js";
import type { RemoteClient } from "./http-client.js";
import type { TransferProgress } from "./progress.js";
import type { RevisionView } from "./revisions.js";
import { planUpload, uploadObjects } from "./upload.js";

export interface PostResult {
  fleet: string;
  revision: number;
  digest: string;
  /** objects the state references */
  objects: number;
  /** of those, how many (and how many bytes) had to be uploaded */
  uploaded: number;
  uploadedBytes: number;
}

/** Refuses to post while the working tree differs from the last commit. */
export async function assertClean(wd: Workdir): Promise<void> {
  const status = await workdirStatus(wd);
  if (!hasUncommitted(status)) return;
  const paths = status.changes.filter((c) => c.change !== "untracked").map((c) => c.path);
  throw new WorkdirError(
    "uncommitted_changes",
    `uncommitted changes in ${paths.slice(0, 5).join(", ")}${paths.length > 5 ? ", …" : ""}: \`statecast commit -m MSG\` them (or \`statecast checkout --force\` to drop them) before posting`,
    true,
  );
}

/**
 * Posts the committed state as `fleet`'s next revision: uploads only the objects the server
 * lacks, then the state (as its canonical text, so signed number lexemes survive).
 */
export async function postWorkdir(
  client: RemoteClient,
  wd: Workdir,
  fleet: string,
  message: string,
  progress: (objects: number, bytes: number) => TransferProgress,
): Promise<PostResult> {
  await assertClean(wd);
  const objects = await committedObjects(wd);
  const plan = await planUpload(client, objects);
  const bytes = plan.missing.reduce((sum, o) => sum + o.size, 0);
  const store = objectStore(wd);
  await uploadObjects(
    client,
    plan.missing,
    (sha) => store.pathOf(sha),
    progress(plan.missing.length, bytes),
  );
  const state = await readFile(wd.stateFile, "utf8");
  const posted = await client.json<RevisionView>("POST", `/v1/fleets/${fleet}/revisions`, {
    json: { state, message },
  });
  const config = await readConfig(wd);
  await writeConfig(wd, { remote: config.remote ?? client.url, fleet, revision: posted.number });
  return {
    fleet,
    revision: posted.number,
    digest: posted.digest,
    objects: objects.length,
    uploaded: plan.missing.length,
    uploadedBytes: bytes,
  };
}
