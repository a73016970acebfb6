import { Injectable } from "@nestjs/common";
import { InjectRepository } from "@nestjs/typeorm";
import type { TokenView } from "@statecast/contract/http";
import { IsNull, type Repository } from "typeorm";
import { ApiToken } from "./api-token.entity.js";
import type { Principal } from "./principal.js";
import { isRole } from "./role.js";

/** A token as listed to admins (the HTTP contract's view): never its secret, never its hash. */
export type { TokenView };

/** Reads the `api_tokens` projection. */
@Injectable()
export class TokenRepository {
  constructor(@InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>) {}

  async findActiveByHash(secretHash: string): Promise<Principal | undefined> {
    const token = await this.tokens.findOneBy({ secretHash, revokedAt: IsNull() });
    if (!token || !isRole(token.role)) return undefined;
    return { tokenId: token.tokenId, name: token.name, role: token.role };
  }

  async list(): Promise<TokenView[]> {
    const tokens = await this.tokens.find({ order: { createdAt: "ASC", tokenId: "ASC" } });
    return tokens.map(toView);
  }

  async find(tokenId: string): Promise<TokenView | undefined> {
    const token = await this.tokens.findOneBy({ tokenId });
    return token ? toView(token) : undefined;
  }
}

function toView(token: ApiToken): TokenView {
  return {
    tokenId: token.tokenId,
    name: token.name,
    role: isRole(token.role) ? token.role : "viewer",
    createdAt: token.createdAt.toISOString(),
    createdBy: token.createdBy,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}
