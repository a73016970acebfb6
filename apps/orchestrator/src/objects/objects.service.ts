import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Inject, Injectable } from "@nestjs/common";
import type { ObjectStored } from "@statecast/contract/http";
import { NotFoundError, UnprocessableError, ValidationError } from "@statecast/events";
import { HashMismatchError, type ObjectStore, SizeMismatchError } from "@statecast/state";
import type { ByteRange } from "./byte-range.js";
import { ObjectStats } from "./object-stats.js";
import { OBJECT_STORE, OBJECTS_OPTIONS, type ObjectsOptions } from "./object-store.provider.js";

/** What an upload answers (`PUT /v1/objects/:sha256`, its contract). */
export type UploadResult = ObjectStored;

/** Thrown when a declared size exceeds `STATECAST_MAX_OBJECT_BYTES` (the controller answers 413). */
export class ObjectTooLargeError extends ValidationError {}

@Injectable()
export class ObjectsService {
  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    @Inject(OBJECTS_OPTIONS) private readonly options: ObjectsOptions,
    @Inject(ObjectStats) private readonly stats: ObjectStats,
  ) {}

  /** Checks an upload's declared size before any byte is read. */
  admit(sha256: string, declaredSize: number | undefined): number {
    if (declaredSize === undefined) {
      this.stats.refused();
      throw new ValidationError(`object ${sha256}: Content-Length is required`, {
        details: [{ path: "content-length", message: "declare the object's size" }],
      });
    }
    if (declaredSize > this.options.maxObjectBytes) {
      this.stats.refused();
      throw new ObjectTooLargeError(
        `object ${sha256}: ${declaredSize} bytes exceeds the limit of ${this.options.maxObjectBytes}`,
      );
    }
    return declaredSize;
  }

  async isPresent(sha256: string): Promise<boolean> {
    return this.store.has(sha256);
  }

  /** Streams the body into the store; it becomes visible only once hash and size match. */
  async upload(sha256: string, size: number, body: Readable): Promise<UploadResult> {
    // Present already: touched, so a collection pass keeps it through the grace period.
    if (await this.store.touch(sha256)) {
      this.stats.duplicate();
      return { sha256, size, created: false };
    }
    try {
      const result = await this.store.put(sha256, body, { size });
      if (result.created) this.stats.stored(result.size);
      else this.stats.duplicate();
      return { sha256, size: result.size, created: result.created };
    } catch (error) {
      if (error instanceof HashMismatchError || error instanceof SizeMismatchError) {
        this.stats.refused();
        throw new UnprocessableError(error.message, { cause: error });
      }
      throw error;
    }
  }

  /**
   * The ones the store lacks. The others are touched: a client asks this before uploading what is
   * missing and posting, so what it was told is present stays through the grace period.
   */
  async missing(shas: string[]): Promise<string[]> {
    const unique = [...new Set(shas)];
    const present = await Promise.all(unique.map((sha) => this.store.touch(sha)));
    return unique.filter((_, i) => !present[i]);
  }

  async size(sha256: string): Promise<number> {
    const stat = await this.store.stat(sha256);
    if (!stat) throw new NotFoundError(`object ${sha256} not found`);
    return stat.size;
  }

  /** Streams the object (or a range of it) into `destination`, counting the bytes sent. */
  async send(sha256: string, range: ByteRange | undefined, destination: Writable): Promise<void> {
    const stats = this.stats;
    await pipeline(
      await this.store.openRead(sha256, range ?? {}),
      async function* count(chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          stats.served(chunk.length);
          yield chunk;
        }
      },
      destination,
    );
  }

  statsView() {
    return this.stats.view();
  }
}
