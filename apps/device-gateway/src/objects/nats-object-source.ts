import { Readable } from "node:stream";
import type { JetStreamManager, StoredMsg } from "@nats-io/jetstream";
import type { ObjectStore as NatsObjectStore } from "@nats-io/obj";
import { OBJECTS_BUCKET, OBJECTS_STREAM } from "@statecast/contract";
import type { ByteRange, ObjectStat } from "@statecast/state";
import { chunkRange } from "@statecast/state";

/**
 * The first chunk of the object content `nuid` at or after stream sequence `seq` in sc_objects
 * (a direct get: no consumer).
 */
export function objectChunk(
  jsm: JetStreamManager,
  nuid: string,
  seq: number,
): Promise<StoredMsg | null> {
  return jsm.streams.getMessage(OBJECTS_STREAM, {
    seq,
    next_by_subj: `$O.${OBJECTS_BUCKET}.C.${nuid}`,
  } as never);
}

/**
 * The objects the gateway serves and makes deltas from: the `sc_objects` object store every
 * replica reaches over the network (the orchestrator puts a revision's objects there before the
 * revision exists), never a disk shared with the orchestrator. Reads go chunk by chunk (direct
 * gets, as the `sc.dev.<id>.object` responder serves devices), so a slow or aborted download
 * holds no consumer and buffers one chunk at a time.
 */
export class NatsObjectSource {
  constructor(
    private readonly objects: NatsObjectStore,
    private readonly jsm: JetStreamManager,
  ) {}

  async has(sha: string): Promise<boolean> {
    return (await this.stat(sha)) !== undefined;
  }

  async stat(sha: string): Promise<ObjectStat | undefined> {
    const info = await this.objects.info(sha);
    if (!info || info.deleted) return undefined;
    return { sha, size: info.size, modifiedAt: new Date(info.mtime) };
  }

  /** The object's bytes (an inclusive range of them when given). */
  async openRead(sha: string, range: ByteRange = {}): Promise<Readable> {
    const info = await this.objects.info(sha);
    if (!info || info.deleted) throw new Error(`object ${sha} is not in ${OBJECTS_BUCKET}`);
    const start = range.start ?? 0;
    const end = Math.min(range.end ?? info.size - 1, info.size - 1);
    return Readable.from(
      chunkRange(info.nuid, (seq) => objectChunk(this.jsm, info.nuid, seq), start, end),
    );
  }
}
