import { randomBytes } from "node:crypto";
import * as ed from "@noble/ed25519";
import { strictEd25519Verify } from "./ed25519-verify.js";
import { generateEd25519Key } from "./keys.js";

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const noble = (sig: Uint8Array, msg: Uint8Array, key: Uint8Array) => {
  try {
    return ed.verify(sig, msg, key, { zip215: false });
  } catch {
    return false;
  }
};

function withS(sig: Uint8Array, s: bigint): Uint8Array {
  const out = Uint8Array.from(sig);
  for (let i = 0; i < 32; i++) out[32 + i] = Number((s >> BigInt(8 * i)) & 0xffn);
  return out;
}

function sOf(sig: Uint8Array): bigint {
  let n = 0n;
  for (let i = 63; i >= 32; i--) n = (n << 8n) | BigInt(sig[i]!);
  return n;
}

describe("strictEd25519Verify", () => {
  it("agrees with @noble/ed25519's strict verify on good signatures and accepts nothing it refuses", () => {
    for (let i = 0; i < 60; i++) {
      const { seed, publicKey } = generateEd25519Key();
      const msg = randomBytes(1 + (i % 50));
      const sig = ed.sign(msg, seed);
      expect(strictEd25519Verify(sig, msg, publicKey)).toBe(true);
      expect(noble(sig, msg, publicKey)).toBe(true);
      const bad: [Uint8Array, Uint8Array, Uint8Array][] = [
        [Uint8Array.from(sig).fill(sig[i % 64]! ^ 1, i % 64, (i % 64) + 1), msg, publicKey],
        [sig, Buffer.concat([msg, Buffer.from([0])]), publicKey],
        [sig, msg, generateEd25519Key().publicKey],
        [withS(sig, sOf(sig) + L), msg, publicKey], // the same S, not reduced
        [sig, msg, Uint8Array.from(publicKey).fill(0xff, 0, 31)],
      ];
      for (const [s, m, k] of bad) {
        expect(strictEd25519Verify(s, m, k)).toBe(false);
        expect(noble(s, m, k)).toBe(false);
      }
    }
  });

  it("refuses the neutral-point key with R = neutral and S = 0 (OpenSSL alone accepts it)", () => {
    const neutral = Uint8Array.from([1, ...new Array(31).fill(0)]);
    const sig = Uint8Array.from([...neutral, ...new Array(32).fill(0)]);
    expect(strictEd25519Verify(sig, randomBytes(10), neutral)).toBe(false);
  });

  it("refuses a key or an R that is not a canonical point encoding", () => {
    const { seed, publicKey } = generateEd25519Key();
    const msg = randomBytes(8);
    const sig = ed.sign(msg, seed);
    // y = p (2^255 - 19) encodes y = 0 non-canonically.
    const p = Uint8Array.from([0xed, ...new Array(30).fill(0xff), 0x7f]);
    expect(strictEd25519Verify(sig, msg, p)).toBe(false);
    expect(strictEd25519Verify(Uint8Array.from([...p, ...sig.subarray(32)]), msg, publicKey)).toBe(
      false,
    );
    expect(strictEd25519Verify(sig.subarray(0, 63), msg, publicKey)).toBe(false);
  });
});
