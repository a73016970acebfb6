import { Inject, Injectable } from "@nestjs/common";
import type { ObjectGcResult } from "@statecast/contract/http";
import { type EventMetadata, PostgresEventStore } from "@statecast/events";
import type { NetworkObjectStore } from "./network-object-store.js";
import { COLLECTED_IDS_LISTED, OBJECT_STORE_STREAM } from "./object.catalog.js";
import { ObjectGcRepository } from "./object-gc.repository.js";
import { OBJECT_STORE } from "./object-store.provider.js";

/** How long an object no revision references is kept, and how often a pass runs. */
export interface ObjectGcOptions {
  graceSeconds: number;
  /** 0: no periodic pass (on demand only). */
  intervalSeconds: number;
}

export const OBJECT_GC_OPTIONS = Symbol("OBJECT_GC_OPTIONS");

export type { ObjectGcResult };

export const DEFAULT_OBJECT_GC: ObjectGcOptions = { graceSeconds: 86_400, intervalSeconds: 3600 };

/**
 * Collects objects that no revision references. Safe against concurrent posts twice over:
 * objects younger than the grace period are never candidates (uploads for a post to come; a
 * `missing` check or a re-upload makes an object young again), and the referenced set is read and
 * the deletions done under the lock every post holds from its presence check to its commit.
 */
@Injectable()
export class ObjectGc {
  constructor(
    @Inject(OBJECT_STORE) private readonly store: NetworkObjectStore,
    @Inject(ObjectGcRepository) private readonly sql: ObjectGcRepository,
    @Inject(PostgresEventStore) private readonly events: PostgresEventStore,
    @Inject(OBJECT_GC_OPTIONS) private readonly options: ObjectGcOptions,
  ) {}

  get intervalSeconds(): number {
    return this.options.intervalSeconds;
  }

  /**
   * One pass. A real pass that removed something, or one an operator asked for, is recorded as
   * ObjectsCollected with `metadata`'s actor; a dry run writes nothing.
   */
  async collect(options: {
    dryRun: boolean;
    metadata: EventMetadata;
    record: "always" | "when-removed";
  }): Promise<ObjectGcResult> {
    const { graceSeconds } = this.options;
    const cutoff = Date.now() - graceSeconds * 1000;
    const old = (modifiedAt: Date | undefined) => !!modifiedAt && modifiedAt.getTime() < cutoff;
    const listed: { sha: string; size: number; modifiedAt?: Date | undefined }[] = [];
    for await (const sha of this.store.list()) {
      const stat = await this.store.stat(sha);
      if (stat) listed.push(stat);
    }
    // A delta a gateway made is kept while the object it leads to is referenced.
    const deltas = await this.store.offeredDeltas();
    const summary = await this.sql.exclusive(async () => {
      const referenced = await this.sql.referenced();
      for (const [delta, to] of deltas) if (referenced.has(to)) referenced.add(delta);
      const pass: ObjectGcResult = {
        dryRun: options.dryRun,
        graceSeconds,
        examined: listed.length,
        referenced: 0,
        fresh: 0,
        removed: 0,
        bytes: 0,
        objects: [],
      };
      for (const object of listed) {
        if (referenced.has(object.sha)) {
          pass.referenced++;
          continue;
        }
        // Re-read: a `missing` check of an upcoming post may have touched it since the listing.
        const now = old(object.modifiedAt) ? await this.store.stat(object.sha) : object;
        if (!now) continue; // removed meanwhile by someone else
        if (!old(now.modifiedAt)) {
          pass.fresh++;
          continue;
        }
        if (!options.dryRun && !(await this.store.delete(object.sha))) continue;
        pass.removed++;
        pass.bytes += now.size;
        pass.objects.push(object.sha);
      }
      return pass;
    });
    if (!options.dryRun) await this.store.dropAbandonedUploads(new Date(cutoff));
    summary.objects = summary.objects.sort().slice(0, COLLECTED_IDS_LISTED);
    const { removed, bytes, objects } = summary;
    if (!options.dryRun && (removed > 0 || options.record === "always")) {
      await this.events.append(
        OBJECT_STORE_STREAM,
        [
          {
            type: "ObjectsCollected",
            data: {
              removed,
              bytes,
              graceSeconds,
              objects,
            },
            metadata: options.metadata,
          },
        ],
        { expectedVersion: "any" },
      );
    }
    return summary;
  }
}
