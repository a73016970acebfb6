import { Injectable } from "@nestjs/common";
import type { ObjectStats as ObjectStatsContract } from "@statecast/contract/http";

/** Byte and object counters since start-up, readable at `GET /v1/objects/stats` (its contract). */
export type ObjectStatsView = ObjectStatsContract;

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
