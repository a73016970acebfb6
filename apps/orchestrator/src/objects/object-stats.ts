import { Injectable } from "@nestjs/common";

/** Byte and object counters since start-up, readable at `GET /v1/objects/stats`. */
export interface ObjectStatsView {
  /** Bytes of objects newly stored by uploads (duplicates and refused uploads excluded). */
  uploadedBytes: number;
  storedObjects: number;
  /** Uploads answered from an object already present, without receiving a second copy. */
  duplicateUploads: number;
  /** Uploads refused: wrong hash, wrong size or over the limit. */
  refusedUploads: number;
  /** Bytes sent by GET (full and ranged). */
  servedBytes: number;
}

@Injectable()
export class ObjectStats {
  private readonly counters: ObjectStatsView = {
    uploadedBytes: 0,
    storedObjects: 0,
    duplicateUploads: 0,
    refusedUploads: 0,
    servedBytes: 0,
  };

  stored(bytes: number): void {
    this.counters.uploadedBytes += bytes;
    this.counters.storedObjects += 1;
  }

  duplicate(): void {
    this.counters.duplicateUploads += 1;
  }

  refused(): void {
    this.counters.refusedUploads += 1;
  }

  served(bytes: number): void {
    this.counters.servedBytes += bytes;
  }

  view(): ObjectStatsView {
    return { ...this.counters };
  }
}
