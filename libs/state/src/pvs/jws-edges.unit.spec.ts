import { generateKeyPairSync, sign } from "node:crypto";
import type { State } from "../model/types.js";
import { fixtureState } from "../testing/fixtures.test-helper.js";
import { defaultPartGlobs, selectKeys } from "./glob.js";
import { base64url } from "./jws.js";
import { signedPayload, verifyState } from "./verify.js";

// JWS corners where a general JOSE library (jose 6.x, checked by hand) would accept what PVS must
// refuse; see README.md in this folder for why the primitive stays on node:crypto + @noble.

const base = fixtureState("os.json");
const { include, exclude } = defaultPartGlobs("os");
const covers = selectKeys(Object.keys(base), include, exclude);
const payload = signedPayload(base, covers);
const lenient = { mode: "lenient" as const, trusted: [] };

function withSig(protectedB64: string, signature: Uint8Array): State {
  return {
    ...base,
    "_sigs/os.json": { "#spec": "pvs@2", protected: protectedB64, signature: base64url(signature) },
  } as State;
}

function statusOf(state: State) {
  const report = verifyState(state, lenient);
  return { ok: report.ok, ...report.signatures[0] };
}

describe("PVS JWS edge cases", () => {
  const key = generateKeyPairSync("ed25519");
  const jwk = key.publicKey.export({ format: "jwk" });
  const header = (extra: object) =>
    base64url(
      JSON.stringify({ alg: "EdDSA", typ: "PVS", jwk, pvs: { include, exclude }, ...extra }),
    );

  it("control: a correct Ed25519 signature is cryptographically valid (untrusted key)", () => {
    const p = header({});
    const signature = sign(null, Buffer.from(`${p}.${base64url(payload)}`), key.privateKey);
    expect(statusOf(withSig(p, signature))).toMatchObject({ ok: true, status: "untrusted_key" });
  });

  it("refuses an unencoded-payload signature (b64: false, RFC 7797)", () => {
    const p = header({ b64: false, crit: ["b64"] });
    // Signed over the raw payload, as an RFC 7797 signer (and jose's verifier) would compute it.
    const signature = sign(null, Buffer.from(`${p}.${payload}`), key.privateKey);
    expect(statusOf(withSig(p, signature))).toMatchObject({ ok: false, status: "invalid" });
  });

  it("refuses any crit header: PVS defines no critical extensions (RFC 7515 4.1.11)", () => {
    const p = header({ crit: ["exp"], exp: 1 });
    const signature = sign(null, Buffer.from(`${p}.${base64url(payload)}`), key.privateKey);
    expect(statusOf(withSig(p, signature))).toMatchObject({
      ok: false,
      status: "invalid",
      reason: "crit is not allowed: PVS defines no critical header extensions",
    });
  });

  it("refuses a protected header with a duplicate alg (JSON.parse would keep the last)", () => {
    const text = `{"alg":"HS256","alg":"EdDSA","typ":"PVS","jwk":${JSON.stringify(jwk)},"pvs":${JSON.stringify({ include, exclude })}}`;
    const p = base64url(text);
    const signature = sign(null, Buffer.from(`${p}.${base64url(payload)}`), key.privateKey);
    expect(statusOf(withSig(p, signature))).toMatchObject({ ok: false, status: "invalid" });
  });

  it("refuses the small-order Ed25519 forgery that OpenSSL/WebCrypto accept for any payload", () => {
    const identity = Buffer.alloc(32);
    identity[0] = 1; // the neutral point: [k]A = O for every k
    const forged = Buffer.alloc(64);
    forged[0] = 1; // R = O, S = 0 satisfies [S]B = R + [k]A without the key's owner
    const p = base64url(
      JSON.stringify({
        alg: "EdDSA",
        typ: "PVS",
        jwk: { kty: "OKP", crv: "Ed25519", x: base64url(identity) },
        pvs: { include, exclude },
      }),
    );
    expect(statusOf(withSig(p, forged))).toMatchObject({ ok: false, status: "invalid" });
  });
});
