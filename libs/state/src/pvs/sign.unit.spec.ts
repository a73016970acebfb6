import { createPublicKey, verify as nodeVerify } from "node:crypto";
import { canonicalJson } from "../json/canonical-json.js";
import { isJsonObject } from "../json/json-value.js";
import { ed25519SeedFromPem, generateEd25519Key } from "../keys.js";
import { parseState } from "../model/parse-state.js";
import { fixtureState } from "../testing/fixtures.test-helper.js";
import { decodeProtectedHeader, signingInput } from "./jws.js";
import { signPart } from "./sign.js";
import { signedPayload, verifyState } from "./verify.js";

describe("signPart (Ed25519, pvs@2)", () => {
  const key = generateEd25519Key();

  it("round-trips: sign a fixture part, verify it with the new key trusted", () => {
    const signed = signPart(fixtureState("initial_state.json"), {
      part: "awconnect",
      privateKey: key.privateKeyPem,
    });
    const text = canonicalJson(signed);
    const state = parseState(text).state ?? {};
    const report = verifyState(state, {
      mode: "lenient",
      trusted: [{ pem: key.publicKeyPem, name: "dev" }],
    });
    const sig = report.signatures.find((s) => s.key === "_sigs/awconnect.json");
    expect(sig).toMatchObject({ status: "valid", alg: "EdDSA", trustedBy: "dev" });
    expect(sig?.covers).toContain("_config/awconnect/etc/iptables/rules.v4");
    expect(sig?.covers).not.toContain("awconnect/src.json");
  });

  it("produces a signature node:crypto also accepts", () => {
    const signed = signPart(fixtureState("os.json"), { part: "os", privateKey: key.seed });
    const entry = signed["_sigs/os.json"];
    if (
      !isJsonObject(entry) ||
      typeof entry.protected !== "string" ||
      typeof entry.signature !== "string"
    ) {
      throw new Error("no signature written");
    }
    const header = decodeProtectedHeader(entry.protected);
    expect(header).toMatchObject({ alg: "EdDSA", typ: "PVS", include: ["os/**", "_config/os/**"] });
    const covers = Object.keys(signed).filter((k) => k.startsWith("os/") && k !== "os/src.json");
    const input = signingInput(entry.protected, signedPayload(signed, covers.sort()));
    const publicKey = createPublicKey(key.publicKeyPem);
    expect(nodeVerify(null, input, publicKey, Buffer.from(entry.signature, "base64url"))).toBe(
      true,
    );
  });

  it("is deterministic for PEM and raw seed, and replaces an existing signature", () => {
    const state = fixtureState("os.json");
    const a = signPart(state, { part: "os", privateKey: key.privateKeyPem });
    const b = signPart(a, { part: "os", privateKey: ed25519SeedFromPem(key.privateKeyPem) });
    expect(b["_sigs/os.json"]).toEqual(a["_sigs/os.json"]);
    const report = verifyState(b, { mode: "lenient", trusted: [{ pem: key.publicKeyPem }] });
    expect(report.signatures.map((s) => s.status)).toEqual(["valid"]);
  });

  it("is untrusted under another key and invalid after tampering", () => {
    const signed = signPart(fixtureState("os.json"), { part: "os", privateKey: key.seed });
    const other = generateEd25519Key();
    const policy = { mode: "lenient" as const, trusted: [{ pem: other.publicKeyPem }] };
    expect(verifyState(signed, policy).signatures[0]?.status).toBe("untrusted_key");
    const tampered = { ...signed, "os/root.squashfs": "0".repeat(64) };
    expect(verifyState(tampered, policy).signatures[0]).toMatchObject({
      key: "_sigs/os.json",
      status: "invalid",
    });
  });

  it("signs custom globs, and a strict policy passes when everything is covered", () => {
    const state = fixtureState("os.json");
    const signed = signPart(state, {
      part: "all",
      privateKey: key.seed,
      include: ["**"],
      exclude: ["_sigs/**"],
    });
    const strict = verifyState(signed, { mode: "strict", trusted: [{ pem: key.publicKeyPem }] });
    expect(strict.signatures.find((s) => s.key === "_sigs/all.json")?.status).toBe("valid");
    expect(strict.uncovered).toEqual([]);
  });

  it("refuses a part that selects nothing, an unsafe part name, or a non-Ed25519 key", () => {
    const state = fixtureState("os.json");
    expect(() => signPart(state, { part: "nothing", privateKey: key.seed })).toThrow(
      /no key of the state matches/,
    );
    expect(() => signPart(state, { part: "../x", privateKey: key.seed })).toThrow(
      /cannot sign part/,
    );
    expect(() =>
      signPart(state, {
        part: "os",
        privateKey: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
      }),
    ).toThrow("not a PEM private key");
  });
});
