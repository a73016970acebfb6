import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { canonicalJson } from "@statecast/state";

/**
 * The target the gateway puts in KV `sc_targets` under the device id. The signature is
 * Ed25519 by the orchestrator's target key over the canonical JSON of every field except
 * `signature` itself.
 */
export interface TargetEnvelope {
  deviceId: string;
  /** Monotonic per device: a lower one is a rollback attempt. */
  seq: number;
  /** ISO-8601 instant after which the device must refuse the target (anti-freeze). */
  expiresAt: string;
  /** The revision reference as the orchestrator names it. */
  revision: string;
  /** sha256 of the canonical state text. */
  stateDigest: string;
  state: Record<string, unknown>;
  rolloutId?: string;
  waveId?: string;
  /** W3C trace context of the gateway's write (signed with the rest); the apply continues it. */
  traceparent?: string;
  signature: TargetSignature;
}

export interface TargetSignature {
  alg: "EdDSA";
  /** base64url of the 64-byte Ed25519 signature. */
  value: string;
}

export type UnsignedTarget = Omit<TargetEnvelope, "signature">;

export type KeyInput = KeyObject | string;

function signingBytes(target: UnsignedTarget): Buffer {
  const { signature: _ignored, ...rest } = target as UnsignedTarget & { signature?: unknown };
  return Buffer.from(canonicalJson(rest), "utf8");
}

/** Signs a target with the orchestrator's Ed25519 private key (PEM or KeyObject). */
export function signTarget(target: UnsignedTarget, privateKey: KeyInput): TargetEnvelope {
  const key = typeof privateKey === "string" ? createPrivateKey(privateKey) : privateKey;
  if (key.asymmetricKeyType !== "ed25519") throw new Error("target key must be Ed25519");
  const value = sign(null, signingBytes(target), key).toString("base64url");
  return { ...target, signature: { alg: "EdDSA", value } };
}

export type TargetVerdict =
  | { ok: true }
  | { ok: false; reason: "signature_invalid" | "untrusted_key"; message: string };

/** Checks the envelope signature against the trusted orchestrator keys (PEM or KeyObject). */
export function verifyTarget(envelope: TargetEnvelope, trustedKeys: KeyInput[]): TargetVerdict {
  const sig = envelope.signature;
  if (
    typeof sig !== "object" ||
    sig === null ||
    sig.alg !== "EdDSA" ||
    typeof sig.value !== "string"
  ) {
    return { ok: false, reason: "signature_invalid", message: "target has no EdDSA signature" };
  }
  const bytes = signingBytes(envelope);
  const signature = Buffer.from(sig.value, "base64url");
  if (signature.length !== 64) {
    return { ok: false, reason: "signature_invalid", message: "target signature is not 64 bytes" };
  }
  for (const input of trustedKeys) {
    const key = typeof input === "string" ? createPublicKey(input) : input;
    if (key.asymmetricKeyType === "ed25519" && verify(null, bytes, key, signature))
      return { ok: true };
  }
  return {
    ok: false,
    reason: "signature_invalid",
    message: `target signature does not verify under any of ${trustedKeys.length} trusted orchestrator key(s)`,
  };
}
