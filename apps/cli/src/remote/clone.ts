import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import { formatRevision } from "@statecast/contract";
import { holdsObjectId, type JsonValue } from "@statecast/state";
import { checkout } from "../workdir/checkout.js";
import { initWorkdir } from "../workdir/init.js";
import { appendLog, parseStateText, writeCommitted } from "../workdir/meta.js";
import { objectStore } from "../workdir/objects.js";
import { WorkdirError } from "../workdir/workdir-error.js";
import { DEFAULT_TIMEOUT_MS, type RemoteClient } from "./http-client.js";
import { forEachLimit } from "./parallel.js";
import type { TransferProgress } from "./progress.js";
import { latestRevision } from "./revisions.js";

export interface CloneResult {
  dir: string;
  fleet: string;
  revision: number;
  digest: string;
  objects: number;
  files: number;
}

/** `fleet`, `fleet#rev` or `fleet@rev` → its parts (rev null = the latest). */
export function parseFleetRef(ref: string): { fleet: string; rev: number | null } {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]{0,127})(?:[#@](\d{1,10}))?$/.exec(ref);
  if (!match?.[1])
    throw new WorkdirError(
      "bad_fleet_ref",
      `"${ref}" is not FLEET or FLEET#REVISION (e.g. lab#3, or lab@3)`,
      true,
    );
  const rev = match[2] === undefined ? null : Number(match[2]);
  if (rev === 0) throw new WorkdirError("bad_fleet_ref", "revisions are numbered from 1", true);
  return { fleet: match[1], rev };
}

/** Creates a working directory in `dir` (missing or empty) from a server revision and its objects. */
export async function cloneRevision(
  client: RemoteClient,
  ref: { fleet: string; rev: number | null },
  dir: string,
  progress: (objects: number) => TransferProgress,
): Promise<CloneResult> {
  const revision = ref.rev ?? (await latestRevision(client, ref.fleet));
  const base = `/v1/fleets/${ref.fleet}/revisions/${revision}`;
  const text = await (
    await client.request("GET", `${base}/state`, { timeoutMs: DEFAULT_TIMEOUT_MS })
  ).text();
  const state = parseStateText(text, formatRevision({ fleet: ref.fleet, number: revision }));
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0)
    throw new WorkdirError(
      "target_not_empty",
      `${dir} is not empty; clone into a new or empty directory`,
      true,
    );
  try {
    const wd = await initWorkdir(dir, { remote: client.url, fleet: ref.fleet, revision });
    const store = objectStore(wd);
    const shas = [
      ...new Set(
        Object.entries(state)
          .filter(([key, value]) => holdsObjectId(key, value as JsonValue))
          .map(([, value]) => value as string),
      ),
    ];
    const meter = progress(shas.length);
    await forEachLimit(shas, 4, async (sha) => {
      const response = await client.request("GET", `/v1/objects/${sha}`);
      const size = Number(response.headers.get("content-length"));
      const body = response.body;
      if (!body) throw new WorkdirError("object_missing", `object ${sha} came back empty`);
      const source = Readable.fromWeb(body as NodeWebStream).pipe(
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            meter.advance(chunk.length);
            callback(null, chunk);
          },
        }),
      );
      await store.put(sha, source, Number.isFinite(size) ? { size } : {});
      meter.finished(sha, size);
    });
    meter.done();
    const digest = await writeCommitted(wd, state);
    const at = new Date().toISOString();
    await appendLog(wd, {
      digest,
      parent: null,
      message: `clone ${formatRevision({ fleet: ref.fleet, number: revision })}`,
      at,
    });
    const result = await checkout(wd, { force: true });
    return {
      dir: wd.root,
      fleet: ref.fleet,
      revision,
      digest,
      objects: shas.length,
      files: result.written.length,
    };
  } catch (error) {
    for (const name of await readdir(dir))
      await rm(join(dir, name), { recursive: true, force: true });
    throw error;
  }
}
