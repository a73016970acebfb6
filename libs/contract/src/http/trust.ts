import { z } from "zod";

/** A signer a fleet trusts: its key(s) and the state keys it may sign. */
export const trustedSignerInput = z.strictObject({
  name: z
    .string()
    .regex(/^\S.{0,127}$/, { message: "name must be 1-128 characters" })
    .meta({ example: "release-key" }),
  pem: z.string().max(65_536).describe("PEM public key(s) or CA certificate(s)"),
  keys: z
    .array(z.string().max(512))
    .min(1)
    .max(256)
    .describe("state-key globs it may sign")
    .meta({ example: ["**"] }),
});

/** `PUT /v1/fleets/:fleet/trust-policy`: the fleet's trust policy, replaced whole. */
export const trustPolicyRequest = z.strictObject({
  mode: z.enum(["strict", "lenient"]),
  trusted: z.array(trustedSignerInput).max(256),
});
export type TrustPolicyRequest = z.output<typeof trustPolicyRequest>;

/** What `GET` and `PUT /v1/fleets/:fleet/trust-policy` answer. */
export const trustPolicyView = trustPolicyRequest.extend({
  fleet: z.string(),
  version: z
    .int()
    .nonnegative()
    .describe("0 while the fleet has the default policy (strict, nobody)"),
});
export type TrustPolicyView = z.output<typeof trustPolicyView>;
