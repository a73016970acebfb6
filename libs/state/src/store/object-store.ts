import type { Readable } from "node:stream";

/** What `put` did: the object's id and size, and whether it was new. */
export interface PutResult {
  sha: string;
  size: number;
  created: boolean;
}

/** A stored object's metadata. */
export interface ObjectStat {
  sha: string;
  size: number;
  /** When it was stored or last touched (garbage collection keeps recent objects). */
  modifiedAt?: Date;
}

/** Inclusive byte range, as in HTTP Range and fs.createReadStream. */
export interface ByteRange {
  start?: number;
  end?: number;
}

/**
 * A content-addressed object store keyed by lowercase hex sha256. Implementations verify
 * the hash (and the size, when given) while streaming, before an object becomes visible.
 */
export interface ObjectStore {
  /** Stores `content` under `sha`; HashMismatchError / SizeMismatchError leave nothing behind. */
  put(sha: string, content: Readable, options?: { size?: number }): Promise<PutResult>;
  has(sha: string): Promise<boolean>;
  stat(sha: string): Promise<ObjectStat | undefined>;
  /** Streams an object (or an inclusive byte range of it); NotFound is a StateValidationError. */
  openRead(sha: string, range?: ByteRange): Promise<Readable>;
  list(): AsyncIterable<string>;
  /** Removes an object; false when it was not there. */
  delete(sha: string): Promise<boolean>;
  /** Marks an object as just used (its `modifiedAt` becomes now); false when it is not there. */
  touch(sha: string): Promise<boolean>;
}
