import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";

const PREFIX = "sct_";

/** A new bearer secret; shown to its creator once and stored only as its hash. */
export function generateTokenSecret(): string {
  return PREFIX + randomBytes(32).toString("base64url");
}

export function generateTokenId(): string {
  return randomUUID();
}

/** Lowercase hex sha256 of the secret: what the store keeps and lookups use. */
export function hashTokenSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Constant-time comparison of two secrets (via their hashes, so lengths always match). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(
    Buffer.from(hashTokenSecret(a), "hex"),
    Buffer.from(hashTokenSecret(b), "hex"),
  );
}

/** The secret from an `Authorization: Bearer <secret>` header, or undefined. */
export function bearerSecret(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
