import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import type { KeyPair } from "@nats-io/nkeys";
import { ValidationError } from "@statecast/contract";

// @nats-io/nkeys signs with tweetnacl and re-derives the key pair on every call (≈ 2 scalar
// multiplications per signature, tens of milliseconds on a small board). Node's own Ed25519 gives
// the same signatures, orders of magnitude faster; only the nkey text encoding is done here.

const SEED_PREFIX = 18 << 3;
const PRIVATE_PREFIX = 15 << 3;
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** An nkey key pair (operator, account or user seed `S…`) signing with node:crypto. */
export function nativeKeyPair(seed: string | Uint8Array): KeyPair {
  const seedText = typeof seed === "string" ? seed : new TextDecoder().decode(seed);
  return new NativeKeyPair(seedText.trim());
}

class NativeKeyPair implements KeyPair {
  readonly #seed: string;
  readonly #raw: Buffer;
  readonly #publicRaw: Buffer;
  readonly #publicKey: string;
  #privateKey: KeyObject | undefined;

  constructor(seed: string) {
    const { prefix, raw } = decodeSeed(seed);
    this.#seed = seed;
    this.#raw = raw;
    this.#privateKey = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519, raw]),
      format: "der",
      type: "pkcs8",
    });
    const jwk = createPublicKey(this.#privateKey).export({ format: "jwk" });
    this.#publicRaw = Buffer.from(jwk.x ?? "", "base64url");
    this.#publicKey = encodeKey(prefix, this.#publicRaw);
  }

  getPublicKey(): string {
    this.#key();
    return this.#publicKey;
  }

  getPrivateKey(): Uint8Array {
    this.#key();
    const secret = Buffer.concat([this.#raw, this.#publicRaw]);
    return new TextEncoder().encode(encodeKey(PRIVATE_PREFIX, secret));
  }

  getSeed(): Uint8Array {
    this.#key();
    return new TextEncoder().encode(this.#seed);
  }

  sign(input: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, input, this.#key()));
  }

  verify(input: Uint8Array, sig: Uint8Array): boolean {
    return verify(null, input, createPublicKey(this.#key()), sig);
  }

  seal(): Uint8Array {
    throw new ValidationError("seal needs a curve (X…) key, not an Ed25519 nkey");
  }

  open(): Uint8Array | null {
    throw new ValidationError("open needs a curve (X…) key, not an Ed25519 nkey");
  }

  clear(): void {
    this.#raw.fill(0);
    this.#privateKey = undefined;
  }

  #key(): KeyObject {
    if (!this.#privateKey) throw new ValidationError("this key pair was cleared");
    return this.#privateKey;
  }
}

function decodeSeed(seed: string): { prefix: number; raw: Buffer } {
  const bytes = base32Decode(seed.trim());
  const body = bytes.subarray(0, bytes.length - 2);
  if (bytes.length !== 36 || crc16(body) !== bytes.readUInt16LE(bytes.length - 2)) {
    throw new ValidationError("not a valid nkey seed (length or checksum)");
  }
  const [b1, b2] = [bytes[0]!, bytes[1]!];
  if ((b1 & 0xf8) !== SEED_PREFIX) throw new ValidationError("not an nkey seed");
  return { prefix: ((b1 & 7) << 5) | ((b2 & 0xf8) >> 3), raw: Buffer.from(body.subarray(2)) };
}

function encodeKey(prefix: number, raw: Uint8Array): string {
  const body = Buffer.concat([Buffer.from([prefix]), raw]);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(crc16(body));
  return base32Encode(Buffer.concat([body, crc]));
}

function base32Encode(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return bits > 0 ? out + BASE32[(value << (5 - bits)) & 31] : out;
}

function base32Decode(text: string): Buffer {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text) {
    const index = BASE32.indexOf(char);
    if (index < 0) throw new ValidationError("not a valid nkey (bad base32 character)");
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** CRC-16/XMODEM, the nkey checksum. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
