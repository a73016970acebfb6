import type { KV } from "@nats-io/kv";
import { type RevisionRef, revisionKey } from "@statecast/contract";

/** What `sc_revisions` holds for a posted revision. */
export interface RevisionManifest {
  digest: string;
  objects: string[];
}

/**
 * Records posted revisions' manifests in `sc_revisions` (what gateways look deltas up with). A
 * revision's objects need no publishing: uploads go straight into `sc_objects`, which gateways and
 * devices read (network-object-store).
 */
export class RevisionPublisher {
  constructor(private readonly revisions: KV) {}

  async recordRevision(revision: RevisionRef, manifest: RevisionManifest): Promise<void> {
    await this.revisions.put(
      revisionKey(revision.fleet, revision.number),
      JSON.stringify(manifest),
    );
  }
}
