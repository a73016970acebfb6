import { createPrivateKey, type KeyObject, sign, verify } from "node:crypto";
import { canonicalJson, publicKeyOfPem } from "@statecast/state";
import * as z from "zod/mini";
import { deviceIdSchema } from "./device-id.js";
import { maintenanceWindowsSchema } from "./maintenance-window.js";
import { REVISION_TEXT } from "./revision-ref.js";
import { TRACEPARENT } from "./trace-context.js";
import { issuesText } from "./zod.js";

/**
 * The target the gateway puts in KV `sc_targets` under the device id, which the agent verifies.
 * The signature is Ed25519 by the orchestrator's target key over the canonical JSON of every
 * field except `signature` itself. Loose: a newer gateway may add fields, which the signature
 * covers all the same.
 */
const fields = {
  deviceId: deviceIdSchema,
  /** Monotonic per device: a lower one is a rollback attempt. */
  seq: z.int().check(z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER)),
  /** ISO-8601 instant after which the device must refuse the target (anti-freeze). */
  expiresAt: z.iso.datetime({ offset: true }),
  /** The revision, `<fleet>#<number>`. */
  revision: z.string().check(z.maxLength(200), z.regex(REVISION_TEXT, "expected <fleet>#<number>")),
  /** sha256 of the canonical state text. */
  stateDigest: z.string().check(z.regex(/^[0-9a-f]{64}$/, "expected a sha256 hex digest")),
  state: z.record(z.string(), z.unknown()),
  rolloutId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  waveId: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
  /**
   * Issue 20: install, reboot and commit only while one of these is open (download any time).
   * Absent: no restriction. Agents before issue 20 ignore it (the envelope is loose).
   */
  maintenanceWindows: z.optional(maintenanceWindowsSchema),
  /** The fleet asks its devices' consent before they install (issue 20). */
  consentRequired: z.optional(z.boolean()),
  /** An operator forced the install now, window or not (issue 20). */
  installNow: z.optional(z.boolean()),
  /** W3C trace context of the gateway's write (signed with the rest); the apply continues it. */
  traceparent: z.optional(z.string().check(z.regex(TRACEPARENT, "expected a W3C traceparent"))),
  signature: z.strictObject({
    alg: z.literal("EdDSA"),
    /** base64url of the 64-byte Ed25519 signature. */
    value: z
      .string()
      .check(z.regex(/^[A-Za-z0-9_-]{86}$/, "expected a base64url Ed25519 signature")),
  }),
};
export const targetEnvelopeSchema = z.looseObject(fields);
export type TargetEnvelope = z.infer<ReturnType<typeof z.strictObject<typeof fields>>>;
export type TargetSignature = TargetEnvelope["signature"];
export type UnsignedTarget = Omit<TargetEnvelope, "signature">;
export type KeyInput = KeyObject | string;

/** The bytes a target's signature covers: the canonical JSON of all but `signature`. */
export function targetSigningBytes(target: UnsignedTarget): Buffer {
  const { signature: _ignored, ...rest } = target as UnsignedTarget & { signature?: unknown };
  return Buffer.from(canonicalJson(rest), "utf8");
}

/** Signs a target with the orchestrator's Ed25519 private key (PEM or KeyObject). */
export function signTarget(target: UnsignedTarget, privateKey: KeyInput): TargetEnvelope {
  const key = typeof privateKey === "string" ? createPrivateKey(privateKey) : privateKey;
  if (key.asymmetricKeyType !== "ed25519") throw new Error("target key must be Ed25519");
  const value = sign(null, targetSigningBytes(target), key).toString("base64url");
  return { ...target, signature: { alg: "EdDSA", value } };
}

export type TargetVerdict =
  | { ok: true }
  | { ok: false; reason: "signature_invalid" | "untrusted_key"; message: string };

/** Checks the envelope signature against the trusted orchestrator keys (PEM or KeyObject). */
export function verifyTarget(envelope: TargetEnvelope, trustedKeys: KeyInput[]): TargetVerdict {
  const sig: unknown = envelope.signature;
  if (
    typeof sig !== "object" ||
    sig === null ||
    !("alg" in sig && "value" in sig) ||
    sig.alg !== "EdDSA" ||
    typeof sig.value !== "string"
  ) {
    return { ok: false, reason: "signature_invalid", message: "target has no EdDSA signature" };
  }
  const bytes = targetSigningBytes(envelope);
  const signature = Buffer.from(sig.value, "base64url");
  if (signature.length !== 64) {
    return { ok: false, reason: "signature_invalid", message: "target signature is not 64 bytes" };
  }
  for (const input of trustedKeys) {
    const key = typeof input === "string" ? publicKeyOfPem(input) : input;
    if (key.asymmetricKeyType === "ed25519" && verify(null, bytes, key, signature))
      return { ok: true };
  }
  return {
    ok: false,
    reason: "signature_invalid",
    message: `target signature does not verify under any of ${trustedKeys.length} trusted orchestrator key(s)`,
  };
}

/** Why a target envelope is not one (for the agent's `invalid_target` refusal), or undefined. */
export function targetEnvelopeProblem(value: unknown): string | undefined {
  const parsed = targetEnvelopeSchema.safeParse(value);
  if (parsed.success) return undefined;
  return issuesText(parsed.error, 3);
}
