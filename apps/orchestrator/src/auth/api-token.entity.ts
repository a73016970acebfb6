import { Column, Entity, PrimaryColumn } from "typeorm";

/**
 * A row of the `api_tokens` projection (orchestrator-0001-read-models). Written only by
 * `TokenProjection`, inside the projection's transaction; read through `TokenRepository`.
 */
@Entity({ name: "api_tokens" })
export class ApiToken {
  @PrimaryColumn({ name: "token_id", type: "text" })
  tokenId!: string;

  @Column({ type: "text" })
  name!: string;

  @Column({ type: "text" })
  role!: string;

  @Column({ name: "secret_hash", type: "text", unique: true, select: false })
  secretHash!: string;

  @Column({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;

  @Column({ name: "created_by", type: "text" })
  createdBy!: string;

  @Column({ name: "revoked_at", type: "timestamptz", nullable: true })
  revokedAt!: Date | null;
}
