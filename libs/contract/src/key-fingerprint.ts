import { createHash } from "node:crypto";

/** Hex digits of a key fingerprint: 64 bits, enough to tell keys apart by eye, short to read out. */
export const KEY_FINGERPRINT_LENGTH = 16;
export const KEY_FINGERPRINT = /^[0-9a-f]{16}$/;

/**
 * A device key's fingerprint as the API, the CLI and the agent's log show it: the first 16
 * lowercase hex digits of the SHA-256 of the public nkey's text (`U…`), so anyone can check it
 * with `printf %s U… | sha256sum | cut -c1-16`. An operator approves a specific key with it.
 */
export function keyFingerprint(publicKey: string): string {
  return createHash("sha256")
    .update(publicKey, "utf8")
    .digest("hex")
    .slice(0, KEY_FINGERPRINT_LENGTH);
}
