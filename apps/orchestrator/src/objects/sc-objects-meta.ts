import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { Base64UrlPaddedCodec } from "@nats-io/obj";
import { headers } from "@nats-io/transport-node";
import { OBJECTS_BUCKET, OBJECTS_STREAM } from "@statecast/contract";

/**
 * An entry's metadata as `sc_objects` keeps it (the NATS object store's own JSON: one message per
 * name on `$O.<bucket>.M.<base64url name>`, its content as chunks on `$O.<bucket>.C.<nuid>`).
 */
export interface ObjectMeta {
  name: string;
  nuid: string;
  size: number;
  mtime: string;
  deleted?: boolean;
  [field: string]: unknown;
}

/** A meta entry and the stream sequence it is at (what a conditional write expects). */
export interface StoredMeta {
  meta: ObjectMeta;
  seq: number;
}

export const metaSubject = (name: string) =>
  `$O.${OBJECTS_BUCKET}.M.${Base64UrlPaddedCodec.encode(name)}`;
export const chunkSubject = (nuid: string) => `$O.${OBJECTS_BUCKET}.C.${nuid}`;

/**
 * Reads and writes `sc_objects` entries' metadata directly, so that renaming a verified upload to
 * its sha256 and marking an object as just used are compare-and-set writes: each expects the
 * entry's last sequence, so a touch never revives an object a collection pass deleted, and of two
 * uploads of one object only one becomes it.
 */
export class ObjectsMeta {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  async read(name: string): Promise<StoredMeta | undefined> {
    const message = await this.jsm.streams.getMessage(OBJECTS_STREAM, {
      last_by_subj: metaSubject(name),
    });
    if (!message) return undefined;
    return { meta: message.json<ObjectMeta>(), seq: message.seq };
  }

  /** Live (not deleted) metadata of `name`, or undefined. */
  async live(name: string): Promise<StoredMeta | undefined> {
    const found = await this.read(name);
    return found && !found.meta.deleted ? found : undefined;
  }

  /**
   * Writes `meta` as the entry's only metadata, provided the entry's last sequence is still
   * `expectedSeq` (0: no entry). False when someone else wrote it first.
   */
  async write(meta: ObjectMeta, expectedSeq: number): Promise<boolean> {
    const h = headers();
    h.set("Nats-Rollup", "sub");
    try {
      await this.js.publish(metaSubject(meta.name), JSON.stringify(meta), {
        headers: h,
        expect: { lastSubjectSequence: expectedSeq },
      });
      return true;
    } catch (error) {
      if (/wrong last sequence/i.test((error as Error).message)) return false;
      throw error;
    }
  }

  /** Drops every metadata message of `name` (its chunks are left alone). */
  async forget(name: string): Promise<void> {
    await this.jsm.streams.purge(OBJECTS_STREAM, { filter: metaSubject(name) });
  }

  async dropChunks(nuid: string): Promise<void> {
    await this.jsm.streams.purge(OBJECTS_STREAM, { filter: chunkSubject(nuid) });
  }

  /** The first chunk of `nuid`'s content at or after stream sequence `seq` (a direct get). */
  chunk(nuid: string, seq: number) {
    return this.jsm.streams.getMessage(OBJECTS_STREAM, {
      seq,
      next_by_subj: chunkSubject(nuid),
    } as never);
  }
}
