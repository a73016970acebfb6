import { Readable } from "node:stream";
import type { KV } from "@nats-io/kv";
import type { ObjectStore as NatsObjectStore } from "@nats-io/obj";
import { type RevisionRef, revisionKey } from "@statecast/contract";
import type { ObjectStore } from "@statecast/state";

/** What `sc_revisions` holds for a posted revision. */
export interface RevisionManifest {
  digest: string;
  objects: string[];
}

/**
 * Puts a revision's objects on the network: every object it names (its canonical state
 * included) into the `sc_objects` object store that gateways and devices read, before the
 * revision is appended, so no replica of any service needs this one's disk. Objects already
 * there are not sent again.
 */
export class RevisionPublisher {
  constructor(
    private readonly objects: ObjectStore,
    private readonly natsObjects: NatsObjectStore,
    private readonly revisions: KV,
  ) {}

  async publishObjects(shas: Iterable<string>): Promise<void> {
    for (const sha of new Set(shas)) {
      if (await this.natsObjects.info(sha)) continue;
      const content = Readable.toWeb(await this.objects.openRead(sha));
      await this.natsObjects.put({ name: sha }, content as ReadableStream<Uint8Array>);
    }
  }

  /** Records the posted revision's manifest (what gateways look deltas up with). */
  async recordRevision(revision: RevisionRef, manifest: RevisionManifest): Promise<void> {
    await this.revisions.put(
      revisionKey(revision.fleet, revision.number),
      JSON.stringify(manifest),
    );
  }
}
