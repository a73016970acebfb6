import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import * as ed from "@noble/ed25519";
import { strictEd25519Verify } from "./ed25519-verify.js";
import { KeyError } from "./errors.js";

// @noble/ed25519 v3 leaves its synchronous SHA-512 unset; node:crypto provides it.
ed.hashes.sha512 = (message: Uint8Array) => createHash("sha512").update(message).digest();

// DER prefixes of the fixed-size PKCS#8 / SPKI encodings of Ed25519 keys (RFC 8410).
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** An Ed25519 key pair: raw 32-byte seed and public key, and their PEM forms. */
export interface Ed25519KeyPair {
  seed: Uint8Array;
  publicKey: Uint8Array;
  privateKeyPem: string;
  publicKeyPem: string;
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** PKCS#8 PEM of an Ed25519 private key seed. */
export function ed25519PrivateKeyToPem(seed: Uint8Array): string {
  if (seed.length !== 32) throw new KeyError("key_malformed", "an Ed25519 seed is 32 bytes");
  return pem("PRIVATE KEY", Buffer.concat([PKCS8_PREFIX, seed]));
}

/** SPKI PEM of a raw 32-byte Ed25519 public key. */
export function ed25519PublicKeyToPem(publicKey: Uint8Array): string {
  if (publicKey.length !== 32)
    throw new KeyError("key_malformed", "an Ed25519 public key is 32 bytes");
  return pem("PUBLIC KEY", Buffer.concat([SPKI_PREFIX, publicKey]));
}

/** A fresh Ed25519 key pair (seed from the platform CSPRNG via @noble/ed25519). */
export function generateEd25519Key(): Ed25519KeyPair {
  const { secretKey, publicKey } = ed.keygen();
  return {
    seed: secretKey,
    publicKey,
    privateKeyPem: ed25519PrivateKeyToPem(secretKey),
    publicKeyPem: ed25519PublicKeyToPem(publicKey),
  };
}

/** The 32-byte seed of a PKCS#8 PEM Ed25519 private key (error never echoes the key). */
export function ed25519SeedFromPem(privateKeyPem: string): Uint8Array {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: privateKeyPem, format: "pem" });
  } catch {
    throw new KeyError("key_malformed", "not a PEM private key");
  }
  if (key.asymmetricKeyType !== "ed25519") {
    throw new KeyError(
      "key_unsupported",
      `signing needs an Ed25519 key, got ${key.asymmetricKeyType}`,
    );
  }
  const d = key.export({ format: "jwk" }).d;
  if (!d) throw new KeyError("key_malformed", "private key has no seed");
  return new Uint8Array(Buffer.from(d, "base64url"));
}

/** The raw public key of a seed. */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  return ed.getPublicKey(seed);
}

/** Ed25519 signature of `message` (RFC 8032) with @noble/ed25519. */
export function ed25519Sign(message: Uint8Array, seed: Uint8Array): Uint8Array {
  return ed.sign(message, seed);
}

/** Strict (RFC 8032, not ZIP-215) Ed25519 verification; false on bad input (see the function). */
export function ed25519Verify(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  return strictEd25519Verify(signature, message, publicKey);
}

/** Public keys read from PEM, kept: a trust policy's few keys verify every target and state. */
const pemKeys = new Map<string, KeyObject>();
const PEM_KEYS_KEPT = 256;

/**
 * `createPublicKey(pem)`, once per PEM text (a KeyObject is immutable): building it was a fifth
 * of a target's signature check, made twice per apply (target, state) with the same few keys.
 */
export function publicKeyOfPem(pem: string): KeyObject {
  let key = pemKeys.get(pem);
  if (key) return key;
  key = createPublicKey(pem);
  if (pemKeys.size >= PEM_KEYS_KEPT) pemKeys.delete(pemKeys.keys().next().value as string);
  pemKeys.set(pem, key);
  return key;
}

/** SPKI DER of any public key in PEM (SPKI or certificate) or KeyObject form, for comparisons. */
export function spkiOf(key: KeyObject | string): Buffer {
  const object = typeof key === "string" ? publicKeyOfPem(key) : key;
  return object.export({ format: "der", type: "spki" });
}
