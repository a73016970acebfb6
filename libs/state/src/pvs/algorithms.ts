import { createPublicKey, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { KeyError } from "../errors.js";
import type { JsonObject } from "../json/json-value.js";
import { ed25519Verify } from "../keys.js";
import type { PvsAlgorithm } from "./jws.js";

const EXPECTED_KEY: Record<PvsAlgorithm, { type: string; curve?: string }> = {
  EdDSA: { type: "ed25519" },
  RS256: { type: "rsa" },
  ES256: { type: "ec", curve: "prime256v1" },
  ES384: { type: "ec", curve: "secp384r1" },
};

/** Turns a header `jwk` into a public key, checking it fits `alg` (no alg/key confusion). */
export function publicKeyFromJwk(jwk: JsonObject, alg: PvsAlgorithm): KeyObject {
  let key: KeyObject;
  try {
    // Cast: a header's JSON object as a JWK; createPublicKey checks it and throws on a bad one.
    key = createPublicKey({
      key: jwk as unknown as import("node:crypto").JsonWebKey,
      format: "jwk",
    });
  } catch (error) {
    throw new KeyError("key_malformed", "jwk is not a usable public key", { cause: error });
  }
  const expected = EXPECTED_KEY[alg];
  const details = key.asymmetricKeyDetails;
  if (
    key.asymmetricKeyType !== expected.type ||
    (expected.curve && details?.namedCurve !== expected.curve)
  ) {
    throw new KeyError("key_mismatch", `jwk key type does not match alg ${alg}`);
  }
  if (alg === "RS256" && (details?.modulusLength ?? 0) < 2048) {
    throw new KeyError("key_weak", "RSA keys shorter than 2048 bits are refused");
  }
  return key;
}

/** Verifies a JWS signature with `alg`; ECDSA signatures are raw R||S as JWS specifies. */
export function verifyJws(
  alg: PvsAlgorithm,
  key: KeyObject,
  input: Buffer,
  signature: Buffer,
): boolean {
  switch (alg) {
    case "EdDSA": {
      const raw = key.export({ format: "jwk" }).x;
      return raw !== undefined && ed25519Verify(signature, input, Buffer.from(raw, "base64url"));
    }
    case "RS256":
      return cryptoVerify("sha256", input, key, signature);
    case "ES256":
      return cryptoVerify("sha256", input, { key, dsaEncoding: "ieee-p1363" }, signature);
    case "ES384":
      return cryptoVerify("sha384", input, { key, dsaEncoding: "ieee-p1363" }, signature);
  }
}
