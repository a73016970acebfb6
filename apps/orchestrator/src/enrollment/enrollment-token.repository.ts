import { Injectable } from "@nestjs/common";
import { InjectRepository } from "@nestjs/typeorm";
import type { EnrollmentTokenView } from "@statecast/contract/http";
import type { Repository } from "typeorm";
import { EnrollmentTokenRow } from "./enrollment-token.entity.js";

/** Reads the `enrollment_tokens` projection. */
@Injectable()
export class EnrollmentTokenRepository {
  constructor(
    @InjectRepository(EnrollmentTokenRow) private readonly tokens: Repository<EnrollmentTokenRow>,
  ) {}

  /** The fleet's tokens, oldest first. */
  async list(fleet: string): Promise<EnrollmentTokenView[]> {
    const rows = await this.tokens.find({ where: { fleet }, order: { position: "ASC" } });
    return rows.map(toView);
  }

  async find(fleet: string, tokenId: string): Promise<EnrollmentTokenView | undefined> {
    const row = await this.tokens.findOneBy({ tokenId, fleet });
    return row ? toView(row) : undefined;
  }
}

/** What the API shows of a token: everything but its hash (which the read model never holds). */
function toView(row: EnrollmentTokenRow): EnrollmentTokenView {
  return {
    tokenId: row.tokenId,
    fleet: row.fleet,
    expiresAt: row.expiresAt,
    maxUses: row.maxUses,
    uses: row.uses,
    tags: row.tags,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    revokedAt: row.revokedAt,
  };
}
