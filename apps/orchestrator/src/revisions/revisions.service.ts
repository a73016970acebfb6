import { Readable } from "node:stream";
import { Inject, Injectable } from "@nestjs/common";
import { NotFoundError, PostgresEventStore, revisionStreamId, withRetry } from "@statecast/events";
import {
  canonicalJson,
  diffStates,
  loadState,
  type ObjectStore,
  type StateDiff,
  stateDigest,
  type VerifyReport,
  verifyState,
} from "@statecast/state";
import { type CommandContext, metadataOf } from "../auth/command-context.js";
import { ObjectGcRepository } from "../objects/object-gc.repository.js";
import { OBJECT_STORE } from "../objects/object-store.provider.js";
import { RevisionPublisher } from "../objects/revision-publisher.js";
import { ProjectionWaiter } from "../projections/projection-waiter.js";
import { TrustPolicyService } from "../trust/trust-policy.service.js";
import { revisionProjection } from "./revision.projection.js";
import { RevisionRepository, type RevisionView } from "./revision.repository.js";
import { acceptState, refuseMissingObjects, refuseUnverified } from "./revision-checks.js";

const NUMBERING_ATTEMPTS = 20;

/** Posting revisions to a fleet's trail, and reading them back. */
@Injectable()
export class RevisionsService {
  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(OBJECT_STORE) private readonly objects: ObjectStore,
    @Inject(TrustPolicyService) private readonly trust: TrustPolicyService,
    @Inject(RevisionRepository) private readonly revisions: RevisionRepository,
    @Inject(ProjectionWaiter) private readonly projections: ProjectionWaiter,
    @Inject(ObjectGcRepository) private readonly objectGc: ObjectGcRepository,
    @Inject(RevisionPublisher) private readonly publisher: RevisionPublisher,
  ) {}

  /** Validates, checks objects and signatures, then appends RevisionPosted; refusals write nothing. */
  async post(
    fleet: string,
    input: unknown,
    message: string,
    ctx: CommandContext,
  ): Promise<RevisionView> {
    const { state, model } = acceptState(input);
    const refuseAnyMissing = async () => {
      const present = await Promise.all(model.objects.map((sha) => this.objects.has(sha)));
      refuseMissingObjects(
        state,
        model.objects.filter((_, i) => !present[i]),
      );
    };
    await refuseAnyMissing();
    const { policy } = await this.trust.current(fleet);
    refuseUnverified(verifyState(state, policy));
    const canonical = Buffer.from(canonicalJson(state), "utf8");
    const digest = stateDigest(state);
    // From the presence check to the commit, no object collection pass runs (object-gc.repository):
    // checked again under the lock, since a pass may have run since the first check.
    const { number, position } = await this.objectGc.pinned(async () => {
      await refuseAnyMissing();
      // The canonical state is itself an object (its id is the digest): devices fetch it like any
      // other. In sc_objects before the event exists, so no gateway sees a target it cannot serve.
      if (!(await this.objects.touch(digest)))
        await this.objects.put(digest, Readable.from([canonical]), { size: canonical.length });
      const data = { digest, objects: model.objects, author: ctx.actor, message };
      return this.appendNumbered(fleet, data, ctx);
    });
    await this.publisher.recordRevision({ fleet, number }, { digest, objects: model.objects });
    await this.projections.waitFor(revisionProjection.name, position);
    return this.get(fleet, number);
  }

  private async appendNumbered(
    fleet: string,
    data: { digest: string; objects: string[]; author: string; message: string },
    ctx: CommandContext,
  ): Promise<{ number: number; position: bigint }> {
    let tried = 0;
    // Another revision took this number first: the next attempt tries a later one.
    return withRetry(
      `numbering a revision of fleet ${fleet}`,
      async () => {
        const number = Math.max(await this.revisions.highestNumber(fleet), tried) + 1;
        tried = number;
        const result = await this.store.append(
          revisionStreamId(fleet, number),
          [
            {
              type: "RevisionPosted",
              data: { revision: { fleet, number }, ...data },
              metadata: metadataOf(ctx),
            },
          ],
          { expectedVersion: "no_stream" },
        );
        return { number, position: result.lastGlobalPosition };
      },
      { maxAttempts: NUMBERING_ATTEMPTS },
    );
  }

  list(fleet: string, after: number, limit: number): Promise<RevisionView[]> {
    return this.revisions.list(fleet, after, limit);
  }

  async get(fleet: string, number: number): Promise<RevisionView> {
    const view = await this.revisions.find(fleet, number);
    if (!view) throw new NotFoundError(`revision ${number} of fleet ${fleet} not found`);
    return view;
  }

  /** The state's canonical JSON text, exactly as its digest was computed. */
  async canonicalState(fleet: string, number: number): Promise<string> {
    const { digest } = await this.get(fleet, number);
    const chunks: Buffer[] = [];
    for await (const chunk of await this.objects.openRead(digest)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  async diff(fleet: string, a: number, b: number): Promise<StateDiff> {
    const [stateA, stateB] = await Promise.all([
      this.canonicalState(fleet, a),
      this.canonicalState(fleet, b),
    ]);
    return diffStates(loadState(stateA).state, loadState(stateB).state);
  }

  /** The revision's signatures verified now, under the fleet's current trust policy. */
  async signatures(fleet: string, number: number): Promise<VerifyReport> {
    const [text, { policy }] = await Promise.all([
      this.canonicalState(fleet, number),
      this.trust.current(fleet),
    ]);
    return verifyState(loadState(text).state, policy);
  }
}
