import type { RevisionRef } from "@statecast/contract";
import { Column, Entity, PrimaryColumn } from "typeorm";

/**
 * A row of `rollouts` (orchestrator-rollout-0001-tables): where each rollout stands. Written by
 * `RolloutWriter` in SQL, in the same transaction as the rollout events it summarises; read here.
 */
@Entity({ name: "rollouts" })
export class RolloutRow {
  @PrimaryColumn({ name: "rollout_id", type: "text" })
  rolloutId!: string;

  @Column({ type: "text" })
  status!: string;

  @Column({ type: "jsonb" })
  revision!: RevisionRef;

  @Column({ name: "rollback_of", type: "text", nullable: true })
  rollbackOf!: string | null;

  /** The rollout stream's version this row reflects. */
  @Column({ type: "integer" })
  version!: number;

  @Column({ name: "created_at", type: "timestamptz" })
  createdAt!: Date;

  @Column({ name: "updated_at", type: "timestamptz" })
  updatedAt!: Date;
}
