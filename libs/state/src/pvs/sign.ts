import { StateValidationError } from "../errors.js";
import { ed25519PublicKey, ed25519SeedFromPem, ed25519Sign } from "../keys.js";
import type { State } from "../model/types.js";
import { PVS_SPEC } from "../model/types.js";
import { unsafePathReason } from "../path-safety.js";
import { defaultPartGlobs, selectKeys } from "./glob.js";
import { base64url, signingInput } from "./jws.js";
import { signedPayload } from "./verify.js";

/** What to sign: a part name (the signature's file name) and an Ed25519 key (PEM or 32-byte seed). */
export interface SignPartOptions {
  part: string;
  privateKey: string | Uint8Array;
  /** Globs of keys to sign; default pvr's `[P/**, _config/P/**]`. */
  include?: string[];
  /** Globs to leave out; default pvr's `[P/src.json, _sigs/P.json]`. */
  exclude?: string[];
}

/** Returns a copy of `state` with `_sigs/<part>.json`, an EdDSA pvs@2 signature over the selection. */
export function signPart(state: State, options: SignPartOptions): State {
  const { part } = options;
  const sigKey = `_sigs/${part}.json`;
  const unsafe = part.includes("/") ? "contains '/'" : unsafePathReason(sigKey);
  if (part === "" || unsafe) {
    throw new StateValidationError(
      "invalid_part",
      `cannot sign part ${JSON.stringify(part)}: ${unsafe ?? "empty"}`,
    );
  }
  const defaults = defaultPartGlobs(part);
  const include = options.include ?? defaults.include;
  const exclude = options.exclude ?? defaults.exclude;
  const unsigned: State = { ...state };
  delete unsigned[sigKey];
  const covers = selectKeys(Object.keys(unsigned), include, exclude);
  if (covers.length === 0) {
    throw new StateValidationError(
      "signature_covers_nothing",
      `no key of the state matches part ${part}'s include globs`,
    );
  }
  const seed =
    typeof options.privateKey === "string"
      ? ed25519SeedFromPem(options.privateKey)
      : options.privateKey;
  const header = {
    alg: "EdDSA",
    typ: "PVS",
    jwk: { kty: "OKP", crv: "Ed25519", x: base64url(ed25519PublicKey(seed)) },
    pvs: { include, exclude },
  };
  const protectedB64 = base64url(JSON.stringify(header));
  const signature = ed25519Sign(signingInput(protectedB64, signedPayload(unsigned, covers)), seed);
  return {
    ...unsigned,
    [sigKey]: { "#spec": PVS_SPEC, protected: protectedB64, signature: base64url(signature) },
  };
}
