import { z } from "zod";

/** Operator roles, weakest first: each role may do everything the ones before it may. */
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** `POST /v1/tokens`: an API token for an operator or a machine. */
export const createTokenRequest = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
      message: "name must be 1-64 letters, digits, '.', '_' or '-'",
    })
    .describe("becomes the actor operator:<name>")
    .meta({ example: "ci-deployer" }),
  role: z.enum(ROLES),
});
export type CreateTokenRequest = z.output<typeof createTokenRequest>;

/** `POST /v1/tokens/:tokenId/revoke`. */
export const revokeTokenRequest = z.strictObject({
  reason: z.string().max(1024).optional(),
});
export type RevokeTokenRequest = z.output<typeof revokeTokenRequest>;

/** The path of `/v1/tokens/:tokenId/…`. */
export const tokenIdParams = z.strictObject({
  tokenId: z.guid({ message: "tokenId must be a UUID" }),
});
export type TokenIdParams = z.output<typeof tokenIdParams>;

/** An API token as the API shows it (`GET /v1/tokens`): no secret. */
export const tokenView = z.strictObject({
  tokenId: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  createdAt: z.string(),
  createdBy: z.string(),
  revokedAt: z.string().nullable(),
});
export type TokenView = z.output<typeof tokenView>;

/** What `POST /v1/tokens` answers: the token and, this once, its secret. */
export const createdToken = tokenView.extend({
  secret: z.string().describe("the bearer secret; shown only in this response"),
});
export type CreatedToken = z.output<typeof createdToken>;
