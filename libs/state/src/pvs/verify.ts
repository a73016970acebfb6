import { type KeyObject, X509Certificate } from "node:crypto";
import { StateValidationError } from "../errors.js";
import { canonicalJson } from "../json/canonical-json.js";
import { isJsonObject } from "../json/json-value.js";
import type { State } from "../model/types.js";
import { publicKeyFromJwk, verifyJws } from "./algorithms.js";
import { matchGlob, selectKeys } from "./glob.js";
import { decodeProtectedHeader, fromBase64url, type PvsHeader, signingInput } from "./jws.js";
import {
  chainAnchored,
  checkChain,
  compileSigner,
  type TrustAnchor,
  type TrustPolicy,
} from "./trust.js";

/** Outcome of one signature. `untrusted_key` means cryptographically valid but not trusted. */
export type SignatureStatus = "valid" | "invalid" | "untrusted_key" | "covers_nothing";

/** The verdict on one `_sigs/` entry. */
export interface SignatureReport {
  key: string;
  status: SignatureStatus;
  reason?: string;
  alg?: string;
  /** The state keys the signature covers (its include minus exclude selection). */
  covers: string[];
  /**
   * State keys its exclude globs match (e.g. `hello/src.json` for `pvr sig add --part hello`):
   * not signed, but, as in Pantavisor's strict mode, accounted for by a valid signature.
   */
  excludes?: string[];
  /** Which trusted signer accepted it (when valid). */
  trustedBy?: string;
}

/** The result of verifying a state's signatures under a trust policy. */
export interface VerifyReport {
  ok: boolean;
  mode: TrustPolicy["mode"];
  signatures: SignatureReport[];
  /**
   * Non-`_sigs` keys that no valid, trusted signature covers or excludes: Pantavisor's strict mode
   * counts a key matched by a signature's include OR exclude as covered, and so do we.
   */
  uncovered: string[];
}

// Parsing a certificate costs far more than verifying an RSA signature, and every
// signature of a state usually carries the same chain: keep the last few parsed.
const certificates = new Map<string, X509Certificate>();
function certificateOf(base64: string): X509Certificate {
  let cert = certificates.get(base64);
  if (!cert) {
    cert = new X509Certificate(Buffer.from(base64, "base64"));
    if (certificates.size >= 64) certificates.clear();
    certificates.set(base64, cert);
  }
  return cert;
}

/** The payload a PVS signature covers: canonical JSON of the selected keys. */
export function signedPayload(state: State, selected: string[]): string {
  const subset: State = {};
  for (const key of selected) subset[key] = state[key] ?? null;
  return canonicalJson(subset);
}

function trustFor(
  header: PvsHeader,
  key: KeyObject,
  covers: string[],
  anchors: TrustAnchor[],
  policy: TrustPolicy,
) {
  let chain: X509Certificate[] | undefined;
  if (header.x5c) {
    chain = header.x5c.map(certificateOf);
    const broken = checkChain(chain, key, policy.certificatesValidAt);
    if (broken) return { broken };
  }
  const signers = anchors.filter(
    (a) =>
      a.publicKeys.some((k) => k.equals(key)) ||
      (chain !== undefined && chainAnchored(chain, a, policy.certificatesValidAt)),
  );
  if (signers.length === 0) return { untrusted: "signature is valid but its key is not trusted" };
  const outside = covers.filter((k) => !signers.some((s) => s.keys.some((g) => matchGlob(g, k))));
  if (outside.length > 0) {
    return {
      untrusted: `key is trusted but not for ${outside.slice(0, 3).join(", ")}${outside.length > 3 ? ", …" : ""}`,
    };
  }
  return { trustedBy: signers.map((s) => s.name).join(", ") };
}

function verifyOne(
  state: State,
  sigKey: string,
  anchors: TrustAnchor[],
  policy: TrustPolicy,
): SignatureReport {
  const entry = state[sigKey];
  if (
    !isJsonObject(entry) ||
    typeof entry.protected !== "string" ||
    typeof entry.signature !== "string"
  ) {
    return { key: sigKey, status: "invalid", reason: "not a pvs@2 signature object", covers: [] };
  }
  let header: PvsHeader;
  try {
    header = decodeProtectedHeader(entry.protected);
  } catch (error) {
    const reason = error instanceof StateValidationError ? error.message : "undecodable header";
    return { key: sigKey, status: "invalid", reason, covers: [] };
  }
  const covers = selectKeys(Object.keys(state), header.include, header.exclude);
  const excludes = Object.keys(state).filter(
    (k) => !k.startsWith("_sigs/") && (header.exclude ?? []).some((g) => matchGlob(g, k)),
  );
  const base = { key: sigKey, alg: header.alg, covers, ...(excludes.length ? { excludes } : {}) };
  if (covers.length === 0) {
    return {
      ...base,
      status: "covers_nothing",
      reason: `include ${JSON.stringify(header.include)} matches no key`,
    };
  }
  try {
    const key = publicKeyFromJwk(header.jwk, header.alg);
    const input = signingInput(entry.protected, signedPayload(state, covers));
    if (!verifyJws(header.alg, key, input, fromBase64url(entry.signature, "signature"))) {
      return { ...base, status: "invalid", reason: "signature does not match the signed keys" };
    }
    const trust = trustFor(header, key, covers, anchors, policy);
    if ("broken" in trust) return { ...base, status: "invalid", reason: trust.broken };
    if ("untrusted" in trust) return { ...base, status: "untrusted_key", reason: trust.untrusted };
    return { ...base, status: "valid", trustedBy: trust.trustedBy };
  } catch (error) {
    const reason = error instanceof Error ? error.message : "verification failed";
    return { ...base, status: "invalid", reason };
  }
}

/** Verifies every `_sigs/` entry of a state under `policy`; never throws on hostile signatures. */
export function verifyState(state: State, policy: TrustPolicy): VerifyReport {
  const anchors = policy.trusted.map(compileSigner);
  const sigKeys = Object.keys(state)
    .filter((k) => k.startsWith("_sigs/"))
    .sort();
  const signatures = sigKeys.map((k) => verifyOne(state, k, anchors, policy));
  const valid = signatures.filter((s) => s.status === "valid");
  const covered = new Set(valid.flatMap((s) => [...s.covers, ...(s.excludes ?? [])]));
  const uncovered = Object.keys(state)
    .filter((k) => !k.startsWith("_sigs/") && !covered.has(k))
    .sort();
  const ok =
    policy.mode === "strict"
      ? signatures.every((s) => s.status === "valid") && uncovered.length === 0
      : signatures.every((s) => s.status !== "invalid");
  return { ok, mode: policy.mode, signatures, uncovered };
}
