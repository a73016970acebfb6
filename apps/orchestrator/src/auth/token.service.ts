import { Inject, Injectable } from "@nestjs/common";
import { IllegalStateError, NotFoundError, PostgresEventStore } from "@statecast/events";
import { type CommandContext, metadataOf } from "../auth/command-context.js";
import { ProjectionWaiter } from "../projections/projection-waiter.js";
import type { Role } from "./role.js";
import { tokenStreamId } from "./token.catalog.js";
import { tokenProjection } from "./token.projection.js";
import { TokenRepository, type TokenView } from "./token.repository.js";
import { generateTokenId, generateTokenSecret, hashTokenSecret } from "./token-secret.js";

/** Creating and revoking API tokens; both are events, read back through `api_tokens`. */
@Injectable()
export class TokenService {
  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(TokenRepository) private readonly tokens: TokenRepository,
    @Inject(ProjectionWaiter) private readonly projections: ProjectionWaiter,
  ) {}

  list(): Promise<TokenView[]> {
    return this.tokens.list();
  }

  /** Returns the new token with its secret: the only time the secret leaves the server. */
  async create(
    name: string,
    role: Role,
    ctx: CommandContext,
  ): Promise<TokenView & { secret: string }> {
    const live = await this.tokens.list();
    if (live.some((t) => t.name === name && t.revokedAt === null)) {
      throw new IllegalStateError(`a live token named ${name} already exists`);
    }
    const tokenId = generateTokenId();
    const secret = generateTokenSecret();
    const data = { tokenId, name, role, secretHash: hashTokenSecret(secret) };
    const result = await this.store.append(
      tokenStreamId(tokenId),
      [{ type: "ApiTokenCreated", data, metadata: metadataOf(ctx) }],
      { expectedVersion: "no_stream" },
    );
    await this.projections.waitFor(tokenProjection.name, result.lastGlobalPosition);
    const view = await this.tokens.find(tokenId);
    if (!view) throw new Error(`token ${tokenId} missing from its projection after catch-up`);
    return { ...view, secret };
  }

  async revoke(tokenId: string, reason: string, ctx: CommandContext): Promise<TokenView> {
    const { events, version } = await this.store.readStream(tokenStreamId(tokenId));
    if (version === 0) throw new NotFoundError(`token ${tokenId} not found`);
    if (events.some((e) => e.type === "ApiTokenRevoked")) {
      throw new IllegalStateError(`token ${tokenId} is already revoked`);
    }
    const result = await this.store.append(
      tokenStreamId(tokenId),
      [{ type: "ApiTokenRevoked", data: { tokenId, reason }, metadata: metadataOf(ctx) }],
      { expectedVersion: version },
    );
    await this.projections.waitFor(tokenProjection.name, result.lastGlobalPosition);
    const view = await this.tokens.find(tokenId);
    if (!view) throw new Error(`token ${tokenId} missing from its projection after catch-up`);
    return view;
  }
}
