import { z } from "zod";

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
