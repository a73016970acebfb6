import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { EnrollmentEvents, isEvent, type RecordedEvent } from "@statecast/events";

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

/** An enrollment token as folded from its stream. */
export interface EnrollmentToken {
  tokenId: string;
  fleet: string;
  secretHash: string;
  expiresAt: string | undefined;
  maxUses: number | undefined;
  tags: Record<string, string>;
  uses: number;
  createdAt: string;
  createdBy: string;
  revokedAt: string | undefined;
}

export function foldEnrollmentToken(events: readonly RecordedEvent[]): EnrollmentToken | undefined {
  let token: EnrollmentToken | undefined;
  for (const event of events) {
    if (isEvent(event, EnrollmentEvents.EnrollmentTokenCreated)) {
      const { data } = event;
      token = {
        tokenId: data.tokenId,
        fleet: data.fleet,
        secretHash: data.secretHash,
        expiresAt: data.expiresAt,
        maxUses: data.maxUses,
        tags: data.tags,
        uses: 0,
        createdAt: event.metadata.now,
        createdBy: event.metadata.actor,
        revokedAt: undefined,
      };
    } else if (token && event.type === "EnrollmentTokenUsed") {
      token = { ...token, uses: token.uses + 1 };
    } else if (token && event.type === "EnrollmentTokenRevoked") {
      token = { ...token, revokedAt: event.metadata.now };
    }
  }
  return token;
}

/**
 * Why `secret` does not enroll a device of `fleet` at `now`, or undefined when it does. Reasons
 * never contain the secret.
 */
export function enrollmentTokenRefusal(
  token: EnrollmentToken | undefined,
  secret: string,
  fleet: string,
  now: string,
): string | undefined {
  if (!token || !sameHash(token.secretHash, hashEnrollmentSecret(secret))) {
    return "enrollment token not recognised";
  }
  if (token.revokedAt !== undefined) return `enrollment token ${token.tokenId} was revoked`;
  if (token.fleet !== fleet) {
    return `enrollment token ${token.tokenId} is for another fleet, not ${fleet}`;
  }
  if (token.expiresAt !== undefined && Date.parse(token.expiresAt) <= Date.parse(now)) {
    return `enrollment token ${token.tokenId} expired at ${token.expiresAt}`;
  }
  if (token.maxUses !== undefined && token.uses >= token.maxUses) {
    return `enrollment token ${token.tokenId} is used up (${token.uses} of ${token.maxUses} uses)`;
  }
  return undefined;
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}
