import { type KeyObject, sign } from "node:crypto";
import { canonicalJson } from "@statecast/state";

/**
 * What KV `sc_targets` holds under a device id: the agent's `TargetEnvelope`
 * (apps/device-agent/src/target/envelope.ts), which verifies it. The signature is Ed25519 over
 * the canonical JSON of every other field.
 */
export interface UnsignedTarget {
  deviceId: string;
  seq: number;
  expiresAt: string;
  /** `<fleet>#<number>`. */
  revision: string;
  stateDigest: string;
  state: Record<string, unknown>;
  rolloutId?: string;
  waveId?: string;
  /** W3C trace context of the gateway's write: the agent's apply continues that trace. */
  traceparent?: string;
}

export interface SignedTarget extends UnsignedTarget {
  signature: { alg: "EdDSA"; value: string };
}

export function signTarget(target: UnsignedTarget, key: KeyObject): SignedTarget {
  const value = sign(null, Buffer.from(canonicalJson(target), "utf8"), key).toString("base64url");
  return { ...target, signature: { alg: "EdDSA", value } };
}
