import { z } from "zod";
import { fleetName } from "./fleet.js";

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** An ISO-8601 date or instant that names a real day (no 30 February). */
function isIsoInstant(value: string): boolean {
  const match = INSTANT.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    !Number.isNaN(Date.parse(value))
  );
}

/** `POST /v1/fleets/:fleet/enrollment-tokens`: a token that pre-approves devices of the fleet. */
export const createEnrollmentTokenRequest = z.strictObject({
  expiresAt: z
    .string()
    .refine(isIsoInstant, { message: "expiresAt must be an ISO-8601 instant" })
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
