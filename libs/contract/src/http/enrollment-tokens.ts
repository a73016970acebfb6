import { z } from "zod";
import { fleetName } from "./fleet.js";
import { isoInstant } from "./instant.js";

/** `POST /v1/fleets/:fleet/enrollment-tokens`: a token that pre-approves devices of the fleet. */
export const createEnrollmentTokenRequest = z.strictObject({
  expiresAt: isoInstant("expiresAt")
    .optional()
    .describe("ISO-8601 instant after which the token enrolls nothing (default: never)")
    .meta({ example: "2026-12-31T00:00:00Z" }),
  maxUses: z
    .int()
    .min(1)
    .max(1_000_000)
    .optional()
    .describe("how many devices it may enroll (default: unlimited)"),
  tags: z
    .record(z.string(), z.string())
    .optional()
    .describe("tags given to every device enrolled with the token (at most 64)")
    .meta({ example: { ring: "canary" } }),
});
export type CreateEnrollmentTokenRequest = z.output<typeof createEnrollmentTokenRequest>;

/** The path of `/v1/fleets/:fleet/enrollment-tokens/:tokenId`. */
export const enrollmentTokenParams = z.strictObject({
  fleet: fleetName,
  tokenId: z.guid({ message: "tokenId must be a UUID" }),
});
export type EnrollmentTokenParams = z.output<typeof enrollmentTokenParams>;

/** The query of `DELETE /v1/fleets/:fleet/enrollment-tokens/:tokenId`. */
export const revokeEnrollmentTokenQuery = z.strictObject({
  reason: z.string().max(1024).optional(),
});
export type RevokeEnrollmentTokenQuery = z.output<typeof revokeEnrollmentTokenQuery>;

/** A fleet enrollment token as the API shows it (`GET /v1/fleets/:fleet/enrollment-tokens`): no secret. */
export const enrollmentTokenView = z.strictObject({
  tokenId: z.uuid(),
  fleet: z.string(),
  expiresAt: z.string().nullable().describe("after it, the token enrolls nothing (null: never)"),
  maxUses: z.int().nullable().describe("how many devices it may enroll (null: unlimited)"),
  uses: z.int().nonnegative().describe("devices enrolled with it so far"),
  tags: z.record(z.string(), z.string()).describe("given to every device enrolled with it"),
  createdAt: z.string(),
  createdBy: z.string(),
  revokedAt: z.string().nullable(),
});
export type EnrollmentTokenView = z.output<typeof enrollmentTokenView>;

/** What `POST /v1/fleets/:fleet/enrollment-tokens` answers: the token and, this once, its secret. */
export const createdEnrollmentToken = enrollmentTokenView.extend({
  secret: z
    .string()
    .describe(
      "the secret a device sends as `enrollmentToken` in its hello; shown only in this response",
    ),
});
export type CreatedEnrollmentToken = z.output<typeof createdEnrollmentToken>;
