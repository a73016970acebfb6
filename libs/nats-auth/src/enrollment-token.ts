import { createHash, randomBytes } from "node:crypto";

/**
 * Fleet enrollment token secrets: `sce_<tokenId>.<43 base64url characters>` (256 random bits).
 * The token id inside lets the gateway find the token's stream without a lookup table; only the
 * sha256 of the whole secret is stored.
 */
const SECRET =
  /^sce_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[A-Za-z0-9_-]{43}$/;

export function generateEnrollmentSecret(tokenId: string): string {
  return `sce_${tokenId}.${randomBytes(32).toString("base64url")}`;
}

/** The token id a secret names, or undefined when it is not shaped like one. */
export function enrollmentSecretTokenId(secret: string): string | undefined {
  return SECRET.exec(secret)?.[1];
}

export function hashEnrollmentSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}
