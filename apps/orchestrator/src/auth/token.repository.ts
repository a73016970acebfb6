import { Inject, Injectable } from "@nestjs/common";
import type { TokenView } from "@statecast/contract/http";
import type pg from "pg";
import { PG_POOL } from "../projections/pool.js";
import type { Principal } from "./principal.js";
import { isRole } from "./role.js";

/** A token as listed to admins (the HTTP contract's view): never its secret, never its hash. */
export type { TokenView };

interface TokenRow {
  token_id: string;
  name: string;
  role: string;
  created_at: Date;
  created_by: string;
  revoked_at: Date | null;
}

/** Reads the `api_tokens` projection. */
@Injectable()
export class TokenRepository {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  async findActiveByHash(secretHash: string): Promise<Principal | undefined> {
    const { rows } = await this.pool.query<TokenRow>(
      "SELECT token_id, name, role FROM api_tokens WHERE secret_hash = $1 AND revoked_at IS NULL",
      [secretHash],
    );
    const row = rows[0];
    if (!row || !isRole(row.role)) return undefined;
    return { tokenId: row.token_id, name: row.name, role: row.role };
  }

  async list(): Promise<TokenView[]> {
    const { rows } = await this.pool.query<TokenRow>(
      "SELECT token_id, name, role, created_at, created_by, revoked_at FROM api_tokens ORDER BY created_at, token_id",
    );
    return rows.map(toView);
  }

  async find(tokenId: string): Promise<TokenView | undefined> {
    const { rows } = await this.pool.query<TokenRow>(
      "SELECT token_id, name, role, created_at, created_by, revoked_at FROM api_tokens WHERE token_id = $1",
      [tokenId],
    );
    return rows[0] ? toView(rows[0]) : undefined;
  }
}

function toView(row: TokenRow): TokenView {
  return {
    tokenId: row.token_id,
    name: row.name,
    role: isRole(row.role) ? row.role : "viewer",
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}
