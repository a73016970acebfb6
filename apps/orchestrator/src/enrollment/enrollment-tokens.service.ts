import { randomUUID } from "node:crypto";
import { Inject, Injectable } from "@nestjs/common";
import type {
  CreatedEnrollmentToken,
  CreateEnrollmentTokenRequest,
  EnrollmentTokenView,
} from "@statecast/contract/http";
import { type EnrollmentToken, foldEnrollmentToken } from "@statecast/device-domain";
import {
  enrollmentTokenStreamId,
  IllegalStateError,
  NotFoundError,
  type PostgresEventStore,
  ValidationError,
} from "@statecast/events";
import { generateEnrollmentSecret, hashEnrollmentSecret } from "@statecast/nats-auth";
import { type CommandContext, metadataOf } from "../auth/command-context.js";
import { EnrollmentTokenRepository } from "./enrollment-token.repository.js";

export const ENROLLMENT_EVENT_STORE = "orchestrator:enrollment-event-store";

/**
 * Fleet enrollment tokens: each is its own stream (`enrollment-token:<id>`); the gateway checks
 * a hello's token against it and appends the use. Read straight from the event store: tokens
 * are few, and a list must show uses the gateway just appended.
 */
@Injectable()
export class EnrollmentTokensService {
  constructor(
    @Inject(ENROLLMENT_EVENT_STORE) private readonly store: PostgresEventStore,
    @Inject(EnrollmentTokenRepository) private readonly tokens: EnrollmentTokenRepository,
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
    const streams = await this.store.readStreams(await this.tokens.streamsOf(fleet));
    return [...streams.values()]
      .map((s) => foldEnrollmentToken(s.events))
      .filter((t): t is EnrollmentToken => t !== undefined)
      .map(view);
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
    const token = foldEnrollmentToken(
      (await this.store.readStream(enrollmentTokenStreamId(tokenId))).events,
    );
    if (!token || token.fleet !== fleet) {
      throw new NotFoundError(`enrollment token ${tokenId} not found in fleet ${fleet}`);
    }
    return view(token);
  }
}

/** What the API shows of a token: everything but its hash. */
function view(token: EnrollmentToken): EnrollmentTokenView {
  return {
    tokenId: token.tokenId,
    fleet: token.fleet,
    expiresAt: token.expiresAt ?? null,
    maxUses: token.maxUses ?? null,
    uses: token.uses,
    tags: token.tags,
    createdAt: token.createdAt,
    createdBy: token.createdBy,
    revokedAt: token.revokedAt ?? null,
  };
}
