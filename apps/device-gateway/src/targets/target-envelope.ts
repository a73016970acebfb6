import type { KeyObject } from "node:crypto";
import {
  formatRevision,
  type MaintenanceWindow,
  type RevisionRef,
  signTarget,
  type TargetEnvelope,
} from "@statecast/contract";

/** Without an `expiresAt` from the rollout, a target stays valid this long (anti-freeze). */
export const DEFAULT_TARGET_LIFETIME_MS = 7 * 24 * 3600_000;

/** A device's `TargetAssigned`, as the target writer needs it. */
export interface AssignedTarget {
  revision: RevisionRef;
  digest: string;
  seq: number;
  rolloutId?: string;
  waveIndex?: number;
  expiresAt?: string;
  maintenanceWindows?: MaintenanceWindow[];
  installNow?: boolean;
  consentRequired?: boolean;
}

/**
 * The signed envelope the gateway writes to `sc_targets` for a target assignment: the one
 * builder, which the contract test holds to the agent's own checks.
 */
export function targetEnvelopeFor(
  deviceId: string,
  assigned: AssignedTarget,
  state: Record<string, unknown>,
  context: { assignedAt: string; traceparent: string | undefined; lifetimeMs?: number },
  key: KeyObject,
): TargetEnvelope {
  const expiresAt =
    assigned.expiresAt ??
    new Date(
      Date.parse(context.assignedAt) + (context.lifetimeMs ?? DEFAULT_TARGET_LIFETIME_MS),
    ).toISOString();
  return signTarget(
    {
      deviceId,
      seq: assigned.seq,
      expiresAt,
      revision: formatRevision(assigned.revision),
      stateDigest: assigned.digest,
      state,
      ...(assigned.rolloutId ? { rolloutId: assigned.rolloutId } : {}),
      ...(assigned.waveIndex !== undefined ? { waveId: String(assigned.waveIndex) } : {}),
      ...(assigned.maintenanceWindows?.length
        ? { maintenanceWindows: assigned.maintenanceWindows }
        : {}),
      ...(assigned.installNow ? { installNow: true } : {}),
      ...(assigned.consentRequired ? { consentRequired: true } : {}),
      ...(context.traceparent ? { traceparent: context.traceparent } : {}),
    },
    key,
  );
}
