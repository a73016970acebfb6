import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { HashMismatchError, SizeMismatchError, StateValidationError } from "../errors.js";
import { isObjectId } from "../model/classify.js";
import type { ByteRange, ObjectStat, ObjectStore, PutResult } from "./object-store.js";

const INCOMING = ".incoming";

function assertObjectId(sha: string): void {
  if (!isObjectId(sha)) {
    throw new StateValidationError(
      "invalid_object_id",
      `${JSON.stringify(sha)} is not a sha256 object id`,
    );
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

// Makes the rename itself durable: without it a power cut can forget the new entry.
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  await handle.sync().finally(() => handle.close());
}

/**
 * Filesystem object store: `<dir>/<sha256>`, one flat directory. A put streams into
 * `<dir>/.incoming/<uuid>` while hashing, fsyncs, checks hash and size, then renames, so a
 * reader or a crash never sees a partial or wrong object.
 */
export class FsObjectStore implements ObjectStore {
  constructor(readonly dir: string) {}

  /** Path of an object's file (validates the id first). */
  pathOf(sha: string): string {
    assertObjectId(sha);
    return join(this.dir, sha);
  }

  async put(sha: string, content: Readable, options: { size?: number } = {}): Promise<PutResult> {
    const target = this.pathOf(sha);
    const incoming = join(this.dir, INCOMING);
    await mkdir(incoming, { recursive: true });
    const temp = join(incoming, randomUUID());
    const hash = createHash("sha256");
    let size = 0;
    const limit = options.size;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (limit !== undefined && size > limit)
          return done(new SizeMismatchError(sha, limit, size));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(content, meter, createWriteStream(temp, { flags: "wx" }));
      if (limit !== undefined && size !== limit) throw new SizeMismatchError(sha, limit, size);
      const actual = hash.digest("hex");
      if (actual !== sha) throw new HashMismatchError(sha, actual);
      const handle = await open(temp, "r");
      await handle.sync().finally(() => handle.close());
      const existed = await this.has(sha);
      await rename(temp, target);
      await syncDirectory(this.dir);
      return { sha, size, created: !existed };
    } finally {
      await rm(temp, { force: true });
    }
  }

  async has(sha: string): Promise<boolean> {
    return (await this.stat(sha)) !== undefined;
  }

  async stat(sha: string): Promise<ObjectStat | undefined> {
    try {
      const info = await stat(this.pathOf(sha));
      return info.isFile() ? { sha, size: info.size, modifiedAt: info.mtime } : undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async openRead(sha: string, range: ByteRange = {}): Promise<Readable> {
    const found = await this.stat(sha);
    if (!found)
      throw new StateValidationError("object_not_found", `object ${sha} is not in the store`);
    const start = range.start ?? 0;
    const end = range.end ?? found.size - 1;
    if (
      !Number.isSafeInteger(start) ||
      !Number.isSafeInteger(end) ||
      start < 0 ||
      (found.size > 0 && (start > end || end >= found.size))
    ) {
      throw new StateValidationError(
        "range_not_satisfiable",
        `object ${sha}: range ${start}-${end} is outside its ${found.size} bytes`,
      );
    }
    return createReadStream(this.pathOf(sha), { start, end: Math.max(end, start) });
  }

  async *list(): AsyncIterable<string> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const name of names.sort()) if (isObjectId(name)) yield name;
  }

  async touch(sha: string): Promise<boolean> {
    const now = new Date();
    try {
      await utimes(this.pathOf(sha), now, now);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async delete(sha: string): Promise<boolean> {
    const path = this.pathOf(sha);
    if (!(await this.has(sha))) return false;
    await rm(path, { force: true });
    return true;
  }
}
