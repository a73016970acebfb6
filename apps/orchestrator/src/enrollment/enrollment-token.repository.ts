import { Injectable } from "@nestjs/common";
import { InjectDataSource, InjectRepository } from "@nestjs/typeorm";
import type { EnrollmentTokenView } from "@statecast/contract/http";
import { poolOf } from "@statecast/events";
import type pg from "pg";
import type { DataSource, Repository } from "typeorm";
import { EnrollmentTokenRow } from "./enrollment-token.entity.js";
import { enrollmentTokenProjection } from "./enrollment-token.projection.js";

// The newest enrollment event in commit order (the type index answers it with one probe each).
const NEWEST = `SELECT global_position FROM events WHERE type = ANY($1)
ORDER BY transaction_id DESC, global_position DESC LIMIT 1`;

/** Reads the `enrollment_tokens` projection. */
@Injectable()
export class EnrollmentTokenRepository {
  private readonly pool: pg.Pool;

  constructor(
    @InjectRepository(EnrollmentTokenRow) private readonly tokens: Repository<EnrollmentTokenRow>,
    @InjectDataSource() dataSource: DataSource,
  ) {
    this.pool = poolOf(dataSource);
  }

  /** The fleet's tokens, oldest first. */
  async list(fleet: string): Promise<EnrollmentTokenView[]> {
    const rows = await this.tokens.find({ where: { fleet }, order: { position: "ASC" } });
    return rows.map(toView);
  }

  async find(fleet: string, tokenId: string): Promise<EnrollmentTokenView | undefined> {
    const row = await this.tokens.findOneBy({ tokenId, fleet });
    return row ? toView(row) : undefined;
  }

  /**
   * Where the projection must have got to for a read to show every committed enrollment event
   * (a use the gateway just appended included); undefined when there is none.
   */
  async newestEvent(): Promise<bigint | undefined> {
    const { rows } = await this.pool.query<{ global_position: string }>(NEWEST, [
      enrollmentTokenProjection.types,
    ]);
    return rows[0] ? BigInt(rows[0].global_position) : undefined;
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
