import { StateValidationError } from "../errors.js";
import { isJsonObject, type JsonObject, type JsonValue } from "../json/json-value.js";
import { parseJson } from "../json/parse-json.js";

/** The JWS algorithms a PVS signature may use. */
export type PvsAlgorithm = "EdDSA" | "RS256" | "ES256" | "ES384";
export const PVS_ALGORITHMS: readonly PvsAlgorithm[] = ["EdDSA", "RS256", "ES256", "ES384"];

/** The decoded protected header of a `pvs@2` signature. */
export interface PvsHeader {
  alg: PvsAlgorithm;
  typ: string;
  include: string[];
  exclude: string[];
  jwk: JsonObject;
  x5c?: string[];
  raw: JsonObject;
}

/** base64url without padding. */
export function base64url(data: Uint8Array | string): string {
  return Buffer.from(data).toString("base64url");
}

/** Decodes strict base64url (no padding, no other characters). */
export function fromBase64url(text: string, what: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) {
    throw new StateValidationError("signature_malformed", `${what} is not base64url`);
  }
  return Buffer.from(text, "base64url");
}

function stringArray(value: JsonValue | undefined, what: string): string[] {
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  throw new StateValidationError("signature_malformed", `${what} must be an array of strings`);
}

/** Decodes and checks a protected header; throws StateValidationError saying what is wrong. */
export function decodeProtectedHeader(protectedB64: string): PvsHeader {
  const raw = parseJson(fromBase64url(protectedB64, "protected header").toString("utf8"));
  if (!isJsonObject(raw)) {
    throw new StateValidationError("signature_malformed", "protected header is not a JSON object");
  }
  const { alg, typ, pvs, jwk, x5c, crit } = raw;
  if (typeof alg !== "string" || !(PVS_ALGORITHMS as string[]).includes(alg)) {
    throw new StateValidationError("signature_malformed", `unsupported alg ${JSON.stringify(alg)}`);
  }
  if (typ !== "PVS") throw new StateValidationError("signature_malformed", `typ must be "PVS"`);
  if (!isJsonObject(pvs))
    throw new StateValidationError("signature_malformed", "missing pvs selection");
  if (!isJsonObject(jwk)) throw new StateValidationError("signature_malformed", "missing jwk");
  // We understand no extension, so a crit header must be refused (RFC 7515 4.1.11); this also
  // shuts out `b64: false` (RFC 7797), which is only honoured when listed in crit.
  if (crit !== undefined) {
    throw new StateValidationError(
      "signature_malformed",
      "crit is not allowed: PVS defines no critical header extensions",
    );
  }
  const header: PvsHeader = {
    alg: alg as PvsAlgorithm,
    typ,
    include: stringArray(pvs.include, "pvs.include"),
    exclude: pvs.exclude === undefined ? [] : stringArray(pvs.exclude, "pvs.exclude"),
    jwk,
    raw,
  };
  if (x5c !== undefined) header.x5c = stringArray(x5c, "x5c");
  return header;
}

/** The JWS signing input of a detached PVS signature over `payload`. */
export function signingInput(protectedB64: string, payload: string): Buffer {
  return Buffer.from(`${protectedB64}.${base64url(payload)}`, "utf8");
}
