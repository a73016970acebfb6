import { randomUUID } from "node:crypto";
import { Inject, Injectable } from "@nestjs/common";
import type {
  CreatedEnrollmentToken,
  CreateEnrollmentTokenRequest,
  EnrollmentTokenView,
} from "@statecast/contract/http";
import { foldEnrollmentToken } from "@statecast/device-domain";
import {
  enrollmentTokenStreamId,
  IllegalStateError,
  NotFoundError,
  type PostgresEventStore,
  ValidationError,
} from "@statecast/events";
import { generateEnrollmentSecret, hashEnrollmentSecret } from "@statecast/nats-auth";
import { type CommandContext, metadataOf } from "../auth/command-context.js";
import { ProjectionWaiter } from "../projections/projection-waiter.js";
import { enrollmentTokenProjection } from "./enrollment-token.projection.js";
import { EnrollmentTokenRepository } from "./enrollment-token.repository.js";

export const ENROLLMENT_EVENT_STORE = "orchestrator:enrollment-event-store";

/**
 * Fleet enrollment tokens: each is its own stream (`enrollment-token:<id>`); the gateway checks
 * a hello's token against it and appends the use. Commands fold the stream; reads come from the
 * `enrollment_tokens` projection once it has caught up with the newest enrollment event, so a
 * list shows the uses the gateway just appended.
 */
@Injectable()
export class EnrollmentTokensService {
  constructor(
    @Inject(ENROLLMENT_EVENT_STORE) private readonly store: PostgresEventStore,
    @Inject(EnrollmentTokenRepository) private readonly tokens: EnrollmentTokenRepository,
    @Inject(ProjectionWaiter) private readonly projections: ProjectionWaiter,
  ) {}

  async create(
    fleet: string,
    request: CreateEnrollmentTokenRequest,
    ctx: CommandContext,
  ): Promise<CreatedEnrollmentToken> {
    const now = new Date();
    if (request.expiresAt !== undefined && Date.parse(request.expiresAt) <= now.getTime()) {
      throw new ValidationError("expiresAt must be in the future", {
        details: [{ path: "expiresAt", message: "must be in the future" }],
      });
    }
    const tokenId = randomUUID();
    const secret = generateEnrollmentSecret(tokenId);
    const data = {
      tokenId,
      fleet,
      secretHash: hashEnrollmentSecret(secret),
      // Normalised so the gateway compares instants, whatever offset the caller wrote.
      ...(request.expiresAt ? { expiresAt: new Date(request.expiresAt).toISOString() } : {}),
      ...(request.maxUses ? { maxUses: request.maxUses } : {}),
      tags: request.tags ?? {},
    };
    const streamId = enrollmentTokenStreamId(tokenId);
    await this.store.append(
      streamId,
      [{ type: "EnrollmentTokenCreated", data, metadata: metadataOf(ctx, now) }],
      { expectedVersion: "no_stream" },
    );
    return { ...(await this.get(fleet, tokenId)), secret };
  }

  async list(fleet: string): Promise<EnrollmentTokenView[]> {
    await this.caughtUp();
    return this.tokens.list(fleet);
  }

  async revoke(
    fleet: string,
    tokenId: string,
    reason: string,
    ctx: CommandContext,
  ): Promise<EnrollmentTokenView> {
    const streamId = enrollmentTokenStreamId(tokenId);
    const { events, version } = await this.store.readStream(streamId);
    const token = foldEnrollmentToken(events);
    if (!token || token.fleet !== fleet) {
      throw new NotFoundError(`enrollment token ${tokenId} not found in fleet ${fleet}`);
    }
    if (token.revokedAt !== undefined) {
      throw new IllegalStateError(`enrollment token ${tokenId} is already revoked`);
    }
    await this.store.append(
      streamId,
      [{ type: "EnrollmentTokenRevoked", data: { reason }, metadata: metadataOf(ctx) }],
      { expectedVersion: version },
    );
    return this.get(fleet, tokenId);
  }

  private async get(fleet: string, tokenId: string): Promise<EnrollmentTokenView> {
    await this.caughtUp();
    const token = await this.tokens.find(fleet, tokenId);
    if (!token) throw new NotFoundError(`enrollment token ${tokenId} not found in fleet ${fleet}`);
    return token;
  }

  private caughtUp(): Promise<void> {
    return this.projections.waitForNewest(enrollmentTokenProjection);
  }
}
