import { z } from "zod";
import { ValidationError } from "../errors.js";
import { defineEvent } from "../registry.js";
import { humanMessage, isoInstant } from "./common.js";

/**
 * Fleet enrollment tokens, one stream each: `enrollment-token:<tokenId>`. A device saying hello
 * with a valid token is enrolled and approved at once; each such use is an `EnrollmentTokenUsed`
 * on the token's stream, appended in the same transaction as the device's `DeviceEnrolled`
 * (same correlation id), so `maxUses` holds even with several gateway replicas.
 */
export function enrollmentTokenStreamId(tokenId: string): string {
  if (!z.uuid().safeParse(tokenId).success) {
    throw new ValidationError("an enrollment token id must be a UUID");
  }
  return `enrollment-token:${tokenId}`;
}

const tags = z.record(z.string().min(1).max(128), z.string().max(256));

export const EnrollmentTokenCreated = defineEvent(
  "EnrollmentTokenCreated",
  1,
  z.strictObject({
    tokenId: z.uuid(),
    fleet: z.string().min(1).max(128),
    // The sha256 of the secret, never the secret: a 256-bit random secret cannot be recovered.
    secretHash: z.string().regex(/^[0-9a-f]{64}$/, "expected a lowercase hex sha256"),
    expiresAt: isoInstant.optional(),
    maxUses: z.int().min(1).max(1_000_000).optional(),
    /** Applied to every device enrolled with the token (its `DeviceEnrolled` tags). */
    tags: tags.refine((t) => Object.keys(t).length <= 64, "at most 64 tags").default({}),
  }),
);

export const EnrollmentTokenUsed = defineEvent(
  "EnrollmentTokenUsed",
  1,
  z.strictObject({
    deviceId: z.string().min(1).max(128),
    publicKey: z.string().regex(/^U[A-Z2-7]{55}$/, "expected a NATS user public nkey"),
  }),
);

export const EnrollmentTokenRevoked = defineEvent(
  "EnrollmentTokenRevoked",
  1,
  z.strictObject({ reason: humanMessage.default("") }),
);

export const enrollmentCatalog = [
  EnrollmentTokenCreated,
  EnrollmentTokenUsed,
  EnrollmentTokenRevoked,
] as const;
