import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import {
  ed25519PublicKey,
  ed25519SeedFromPem,
  ed25519Sign,
  ed25519Verify,
  generateEd25519Key,
  publicKeyOfPem,
} from "./keys.js";

describe("Ed25519 keys", () => {
  it("writes PEM that node:crypto reads, and reads it back", () => {
    const key = generateEd25519Key();
    expect(createPrivateKey(key.privateKeyPem).asymmetricKeyType).toBe("ed25519");
    expect(createPublicKey(key.publicKeyPem).export({ format: "jwk" }).x).toBe(
      Buffer.from(key.publicKey).toString("base64url"),
    );
    expect(ed25519SeedFromPem(key.privateKeyPem)).toEqual(key.seed);
    expect(ed25519PublicKey(key.seed)).toEqual(key.publicKey);
  });

  it("signs exactly like node:crypto and verifies strictly", () => {
    const key = generateEd25519Key();
    const message = Buffer.from("statecast");
    const noble = ed25519Sign(message, key.seed);
    expect(Buffer.from(noble)).toEqual(sign(null, message, createPrivateKey(key.privateKeyPem)));
    expect(ed25519Verify(noble, message, key.publicKey)).toBe(true);
    expect(ed25519Verify(noble, Buffer.from("statecasT"), key.publicKey)).toBe(false);
    expect(ed25519Verify(noble.subarray(0, 10), message, key.publicKey)).toBe(false);
  });

  it("refuses keys it cannot sign with, without echoing them", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    expect(() => ed25519SeedFromPem(pem)).toThrow("signing needs an Ed25519 key, got ec");
    expect(() => ed25519SeedFromPem("secret-material")).toThrow(/^not a PEM private key$/);
  });
});

describe("publicKeyOfPem", () => {
  const pemOf = () =>
    generateKeyPairSync("ed25519").publicKey.export({ format: "pem", type: "spki" }).toString();

  it("builds a PEM's key once and hands the same key for the same text", () => {
    const [a, b] = [pemOf(), pemOf()];
    expect(publicKeyOfPem(a)).toBe(publicKeyOfPem(a));
    expect(publicKeyOfPem(a).equals(createPublicKey(a))).toBe(true);
    expect(publicKeyOfPem(b).equals(publicKeyOfPem(a))).toBe(false);
  });

  it("throws on a PEM that is no key, every time (a failure is not kept)", () => {
    const bad = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
    expect(() => publicKeyOfPem(bad)).toThrow();
    expect(() => publicKeyOfPem(bad)).toThrow();
  });
});
