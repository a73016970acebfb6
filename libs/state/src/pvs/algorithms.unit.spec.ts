import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { isJsonObject } from "../json/json-value.js";
import type { State } from "../model/types.js";
import { fixtureState } from "../testing/fixtures.test-helper.js";
import { defaultPartGlobs, selectKeys } from "./glob.js";
import { base64url, decodeProtectedHeader, signingInput } from "./jws.js";
import { signedPayload, verifyState } from "./verify.js";

type Alg = "RS256" | "ES256" | "ES384";
const HASH: Record<Alg, string> = { RS256: "sha256", ES256: "sha256", ES384: "sha384" };

/** Signs part `os` of a state the way pvr does, with node:crypto (ECDSA as raw R||S). */
function pvrSign(
  state: State,
  alg: Alg,
  key: { privateKey: KeyObject; publicKey: KeyObject },
  extra = {},
  dsaEncoding: "ieee-p1363" | "der" = "ieee-p1363",
) {
  const { include, exclude } = defaultPartGlobs("os");
  const header = {
    alg,
    typ: "PVS",
    jwk: key.publicKey.export({ format: "jwk" }),
    pvs: { include, exclude },
    ...extra,
  };
  const protectedB64 = base64url(JSON.stringify(header));
  const covers = selectKeys(Object.keys(state), include, exclude);
  const input = signingInput(protectedB64, signedPayload(state, covers));
  const signature = sign(
    HASH[alg],
    input,
    alg === "RS256" ? key.privateKey : { key: key.privateKey, dsaEncoding },
  );
  return {
    ...state,
    "_sigs/os.json": { "#spec": "pvs@2", protected: protectedB64, signature: base64url(signature) },
  } as State;
}

const pemOf = (key: KeyObject) => key.export({ type: "spki", format: "pem" }) as string;

describe("JWS algorithms and key checks", () => {
  const base = fixtureState("os.json");

  it.each<[Alg, Parameters<typeof generateKeyPairSync>[1]]>([
    ["ES256", { namedCurve: "P-256" }],
    ["ES384", { namedCurve: "P-384" }],
  ])("verifies %s signatures with raw R||S and trusts the key", (alg, options) => {
    const key = generateKeyPairSync("ec", options as { namedCurve: string });
    const signed = pvrSign(base, alg, key);
    const report = verifyState(signed, {
      mode: "lenient",
      trusted: [{ pem: pemOf(key.publicKey) }],
    });
    expect(report.signatures[0]).toMatchObject({ alg, status: "valid" });
    const der = pvrSign(base, alg, key, {}, "der");
    expect(verifyState(der, { mode: "lenient", trusted: [] }).signatures[0]?.status).toBe(
      "invalid",
    );
  });

  it("refuses a jwk whose type does not fit alg (no algorithm confusion)", () => {
    const key = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const signed = pvrSign(base, "ES256", key, { alg: "ES384" });
    expect(verifyState(signed, { mode: "lenient", trusted: [] }).signatures[0]).toMatchObject({
      status: "invalid",
      reason: "jwk key type does not match alg ES384",
    });
  });

  it("refuses RSA keys shorter than 2048 bits", () => {
    const key = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const report = verifyState(pvrSign(base, "RS256", key), { mode: "lenient", trusted: [] });
    expect(report.signatures[0]).toMatchObject({
      status: "invalid",
      reason: "RSA keys shorter than 2048 bits are refused",
    });
  });

  it("marks a signature invalid when its x5c leaf does not hold its jwk", () => {
    const entry = base["_sigs/os.json"];
    if (!isJsonObject(entry) || typeof entry.protected !== "string")
      throw new Error("fixture lacks _sigs/os.json");
    const x5c = decodeProtectedHeader(entry.protected).x5c;
    const key = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const report = verifyState(pvrSign(base, "RS256", key, { x5c }), {
      mode: "lenient",
      trusted: [],
    });
    expect(report.signatures[0]).toMatchObject({
      status: "invalid",
      reason: "x5c leaf certificate does not hold the jwk key",
    });
  });
});
