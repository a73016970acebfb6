import { defineEvent } from "@statecast/events";
import { z } from "zod";
import { ROLES } from "./role.js";

/** Stream of one API token: `token:<tokenId>`. */
export function tokenStreamId(tokenId: string): string {
  return `token:${tokenId}`;
}

export const tokenName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "expected 1-64 letters, digits, '.', '_' or '-'");

export const ApiTokenCreated = defineEvent(
  "ApiTokenCreated",
  1,
  z.strictObject({
    tokenId: z.uuid(),
    name: tokenName,
    role: z.enum(ROLES),
    // The sha256 of the secret, never the secret: a 256-bit random secret cannot be recovered.
    secretHash: z.string().regex(/^[0-9a-f]{64}$/),
  }),
);

export const ApiTokenRevoked = defineEvent(
  "ApiTokenRevoked",
  1,
  z.strictObject({ tokenId: z.uuid(), reason: z.string().max(1024).default("") }),
);

export const tokenCatalog = [ApiTokenCreated, ApiTokenRevoked] as const;
