import { timingSafeEqual } from "node:crypto";
import { EnrollmentEvents, isEvent, type RecordedEvent } from "@statecast/events";
import { hashEnrollmentSecret } from "@statecast/nats-auth";

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
