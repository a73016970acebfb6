import { createHash, randomUUID } from "node:crypto";
import { Readable, Transform } from "node:stream";
import type { ObjectStore as NatsObjects } from "@nats-io/obj";
import {
  type ByteRange,
  chunkRange,
  deltaOffersName,
  HashMismatchError,
  isDeltaManifest,
  isObjectId,
  type ObjectStat,
  type ObjectStore,
  type PutResult,
  SizeMismatchError,
  StateValidationError,
} from "@statecast/state";
import type { ObjectsMeta } from "./sc-objects-meta.js";

const INCOMING = "incoming.";
const DELTA_OFFERS = deltaOffersName("");

function assertObjectId(sha: string): void {
  if (!isObjectId(sha))
    throw new StateValidationError(
      "invalid_object_id",
      `${JSON.stringify(sha)} is not a sha256 object id`,
    );
}

/**
 * The orchestrator's objects in `sc_objects`, the NATS object store (replicated as the stream
 * is) that gateways and devices read too: every orchestrator replica uploads, serves and collects
 * the same objects over the network, with no disk shared between them. An upload streams into
 * a temporary entry while its sha256 and size are checked (a mismatch aborts the put, leaving
 * no entry), then is renamed to its sha256, so no reader ever sees a partial or wrong object.
 */
export class NetworkObjectStore implements ObjectStore {
  constructor(
    private readonly bucket: NatsObjects,
    private readonly meta: ObjectsMeta,
  ) {}

  async put(sha: string, content: Readable, options: { size?: number } = {}): Promise<PutResult> {
    assertObjectId(sha);
    const temp = `${INCOMING}${randomUUID()}`;
    const checked = verified(sha, options.size);
    content.on("error", (error) => checked.destroy(error));
    checked.on("error", () => content.destroy());
    const body = Readable.toWeb(content.pipe(checked)) as ReadableStream<Uint8Array>;
    // A mismatch fails the put before its metadata is written: its chunks are purged, no entry.
    const stored = await this.bucket.put({ name: temp }, body);
    const upload = await this.meta.read(temp);
    if (!upload) throw new Error(`upload of ${sha} vanished from sc_objects before its rename`);
    const existing = await this.meta.read(sha);
    const renamed =
      !(existing && !existing.meta.deleted) &&
      (await this.meta.write(
        { ...upload.meta, name: sha, mtime: new Date().toISOString() },
        existing?.seq ?? 0,
      ));
    if (renamed) {
      await this.meta.forget(temp);
    } else {
      // Present already (or another upload of it won the rename): this copy goes.
      await this.meta.forget(temp);
      await this.meta.dropChunks(upload.meta.nuid);
    }
    return { sha, size: stored.size, created: renamed };
  }

  async has(sha: string): Promise<boolean> {
    return (await this.stat(sha)) !== undefined;
  }

  async stat(sha: string): Promise<ObjectStat | undefined> {
    assertObjectId(sha);
    const found = await this.meta.live(sha);
    if (!found) return undefined;
    return { sha, size: found.meta.size, modifiedAt: new Date(found.meta.mtime) };
  }

  async openRead(sha: string, range: ByteRange = {}): Promise<Readable> {
    assertObjectId(sha);
    const found = await this.meta.live(sha);
    if (!found)
      throw new StateValidationError("object_not_found", `object ${sha} is not in sc_objects`);
    const { size, nuid } = found.meta;
    const start = range.start ?? 0;
    const end = range.end ?? size - 1;
    if (
      !Number.isSafeInteger(start) ||
      !Number.isSafeInteger(end) ||
      start < 0 ||
      (size > 0 && (start > end || end >= size))
    ) {
      throw new StateValidationError(
        "range_not_satisfiable",
        `object ${sha}: range ${start}-${end} is outside its ${size} bytes`,
      );
    }
    return Readable.from(chunkRange(nuid, (seq) => this.meta.chunk(nuid, seq), start, end));
  }

  /** The objects, in id order (deltas and offer lists the gateways keep there are not listed). */
  async *list(): AsyncIterable<string> {
    const entries = await this.bucket.list();
    const names = entries.filter((e) => !e.deleted && isObjectId(e.name)).map((e) => e.name);
    for (const name of names.sort()) yield name;
  }

  /**
   * The deltas gateways made and offer (`deltas.<to>` lists), by the object each leads to: kept
   * while that object is.
   */
  async offeredDeltas(): Promise<Map<string, string>> {
    const deltas = new Map<string, string>();
    for (const entry of await this.bucket.list()) {
      if (entry.deleted || !entry.name.startsWith(DELTA_OFFERS)) continue;
      const blob = await this.bucket.getBlob(entry.name).catch(() => null);
      if (!blob) continue;
      try {
        const parsed = JSON.parse(new TextDecoder().decode(blob)) as { offers?: unknown[] };
        for (const offer of parsed.offers ?? [])
          if (isDeltaManifest(offer)) deltas.set(offer.id, offer.to);
      } catch {
        // An unreadable list offers nothing.
      }
    }
    return deltas;
  }

  /**
   * Removes uploads left under their temporary name by a replica that stopped between the put and
   * the rename, stored before `before` (an upload in progress is never that old).
   */
  async dropAbandonedUploads(before: Date): Promise<number> {
    let dropped = 0;
    for (const entry of await this.bucket.list()) {
      if (entry.deleted || !entry.name.startsWith(INCOMING)) continue;
      if (Date.parse(entry.mtime) >= before.getTime()) continue;
      await this.bucket.delete(entry.name);
      await this.meta.forget(entry.name);
      dropped++;
    }
    return dropped;
  }

  /** Marks the object as just used (`at`, now by default), unless it is gone meanwhile. */
  async touch(sha: string, at = new Date()): Promise<boolean> {
    assertObjectId(sha);
    for (;;) {
      const found = await this.meta.live(sha);
      if (!found) return false;
      if (await this.meta.write({ ...found.meta, mtime: at.toISOString() }, found.seq)) return true;
    }
  }

  async delete(sha: string): Promise<boolean> {
    assertObjectId(sha);
    for (;;) {
      const found = await this.meta.live(sha);
      if (!found) return false;
      const tombstone = { ...found.meta, deleted: true, size: 0, chunks: 0, digest: "" };
      if (await this.meta.write(tombstone, found.seq)) {
        await this.meta.dropChunks(found.meta.nuid);
        return true;
      }
    }
  }
}

/** Passes the bytes on while hashing them; fails the stream on a size or sha256 mismatch. */
function verified(sha: string, size: number | undefined): Transform {
  const hash = createHash("sha256");
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (size !== undefined && seen > size) return done(new SizeMismatchError(sha, size, seen));
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      if (size !== undefined && seen !== size) return done(new SizeMismatchError(sha, size, seen));
      const actual = hash.digest("hex");
      done(actual === sha ? null : new HashMismatchError(sha, actual));
    },
  });
}
