import { createReadStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import type { MissingObjectsRequest, MissingObjectsResponse } from "@statecast/contract/http";
import type { CommittedObject } from "../workdir/objects.js";
import type { RemoteClient } from "./http-client.js";
import { forEachLimit } from "./parallel.js";
import type { TransferProgress } from "./progress.js";

export interface UploadPlan {
  /** every object the state references */
  offered: CommittedObject[];
  /** those the server lacks */
  missing: CommittedObject[];
}

/** Asks the server which of the objects it lacks (POST /v1/objects/missing). */
export async function planUpload(
  client: RemoteClient,
  objects: CommittedObject[],
): Promise<UploadPlan> {
  const request: MissingObjectsRequest = { shas: objects.map((o) => o.sha) };
  const { missing } = await client.json<MissingObjectsResponse>("POST", "/v1/objects/missing", {
    json: request,
  });
  const lacking = new Set(missing);
  return { offered: objects, missing: objects.filter((o) => lacking.has(o.sha)) };
}

/** Streams each object from `objectFile(sha)` to PUT /v1/objects/:sha, `concurrency` at a time. */
export async function uploadObjects(
  client: RemoteClient,
  objects: CommittedObject[],
  objectFile: (sha: string) => string,
  progress: TransferProgress,
  concurrency = 4,
): Promise<void> {
  await forEachLimit(objects, concurrency, async (object) => {
    const counting = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        progress.advance(chunk.length);
        callback(null, chunk);
      },
    });
    const source = createReadStream(objectFile(object.sha)).pipe(counting);
    await client.request("PUT", `/v1/objects/${object.sha}`, {
      body: Readable.toWeb(source) as ReadableStream<Uint8Array>,
      headers: {
        "content-type": "application/octet-stream",
        "x-object-size": String(object.size),
      },
    });
    progress.finished(object.sha, object.size);
  });
  progress.done();
}
