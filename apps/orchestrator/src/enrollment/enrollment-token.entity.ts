import { Column, Entity, Index, PrimaryColumn } from "typeorm";

/**
 * A row of the `enrollment_tokens` projection (orchestrator-0005-enrollment-tokens). Written only
 * by `enrollmentTokenProjection`, inside the projection's transaction; read through
 * `EnrollmentTokenRepository`. The secret's hash stays in the token's stream (the gateway checks
 * hellos against that): the read model holds only what the API shows.
 */
@Entity({ name: "enrollment_tokens" })
@Index("enrollment_tokens_by_fleet", ["fleet", "position"])
export class EnrollmentTokenRow {
  @PrimaryColumn({ name: "token_id", type: "text" })
  tokenId!: string;

  @Column({ type: "text" })
  fleet!: string;

  /** The global position of its EnrollmentTokenCreated: lists come out oldest first. */
  @Column({ type: "bigint" })
  position!: string;

  @Column({ name: "expires_at", type: "text", nullable: true })
  expiresAt!: string | null;

  @Column({ name: "max_uses", type: "integer", nullable: true })
  maxUses!: number | null;

  @Column({ type: "integer" })
  uses!: number;

  @Column({ type: "jsonb" })
  tags!: Record<string, string>;

  @Column({ name: "created_at", type: "text" })
  createdAt!: string;

  @Column({ name: "created_by", type: "text" })
  createdBy!: string;

  @Column({ name: "revoked_at", type: "text", nullable: true })
  revokedAt!: string | null;
}
