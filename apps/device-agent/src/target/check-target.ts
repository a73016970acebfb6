import {
  type KeyInput,
  type TargetEnvelope,
  targetEnvelopeProblem,
  verifyTarget,
} from "@statecast/contract";
import type { State } from "@statecast/state";
import { stateDigest, type TrustPolicy, verifyState } from "@statecast/state";

/** Why a target is refused before anything is installed (reported as WONTGO). */
export class TargetRejected extends Error {
  override readonly name = "TargetRejected";
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface TargetCheckContext {
  deviceId: string;
  /** Highest seq accepted so far and whether its apply finished. */
  lastSeq: number;
  lastSeqSettled: boolean;
  now: Date;
  orchestratorKeys: KeyInput[];
  trustPolicy: TrustPolicy;
}

/** Every check of issue 7 §2, in order; throws `TargetRejected` with the reason to report. */
export function checkTarget(envelope: TargetEnvelope, ctx: TargetCheckContext): void {
  const verdict = verifyTarget(envelope, ctx.orchestratorKeys);
  if (!verdict.ok) throw new TargetRejected(verdict.reason, verdict.message);
  const problem = targetEnvelopeProblem(envelope);
  if (problem) throw new TargetRejected("invalid_target", `target out of contract: ${problem}`);
  if (envelope.deviceId !== ctx.deviceId) {
    throw new TargetRejected(
      "invalid_target",
      `target is for device ${envelope.deviceId}, not ${ctx.deviceId}`,
    );
  }
  if (
    !Number.isSafeInteger(envelope.seq) ||
    envelope.seq < ctx.lastSeq ||
    (envelope.seq === ctx.lastSeq && ctx.lastSeqSettled)
  ) {
    throw new TargetRejected(
      "stale_revision",
      `target seq ${envelope.seq} is not above the last applied ${ctx.lastSeq}`,
    );
  }
  const expires = Date.parse(envelope.expiresAt);
  if (Number.isNaN(expires) || expires <= ctx.now.getTime()) {
    throw new TargetRejected("target_expired", `target expired at ${envelope.expiresAt}`);
  }
  checkState(envelope.state, envelope.stateDigest, ctx.trustPolicy);
}

/** The state's digest and PVS signatures under the device's trust policy (`strict` by default). */
export function checkState(
  state: Record<string, unknown>,
  digest: string,
  policy: TrustPolicy,
): void {
  let actual: string;
  try {
    actual = stateDigest(state as State);
  } catch (error) {
    throw new TargetRejected(
      "invalid_state",
      `state cannot be canonicalised: ${(error as Error).message}`,
    );
  }
  if (actual !== digest)
    throw new TargetRejected("invalid_state", `state digest is ${actual}, target says ${digest}`);
  const report = verifyState(state as State, policy);
  if (report.ok) return;
  const untrusted = report.signatures.find((s) => s.status === "untrusted_key");
  const invalid = report.signatures.find((s) => s.status === "invalid");
  if (invalid)
    throw new TargetRejected(
      "signature_invalid",
      `${invalid.key}: ${invalid.reason ?? "does not verify"}`,
    );
  if (untrusted)
    throw new TargetRejected(
      "untrusted_key",
      `${untrusted.key}: ${untrusted.reason ?? "key not trusted"}`,
    );
  throw new TargetRejected(
    "signature_invalid",
    `keys not covered by a trusted signature (${report.mode}): ${report.uncovered.slice(0, 5).join(", ")}`,
  );
}
