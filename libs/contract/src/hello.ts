import * as z from "zod/mini";
import { deviceIdSchema } from "./device-id.js";
import { FLEET_NAME, FLEET_NAME_MESSAGE } from "./revision-ref.js";
import { type Issues, issuesText } from "./zod.js";

/** What a device sends on `sc.dev.<id>.hello` (the enrollment protocol, DESIGN §4). */
export const helloSchema = z.strictObject({
  deviceId: deviceIdSchema,
  publicKey: z.string().check(z.regex(/^U[A-Z2-7]{55}$/, "expected a NATS user public nkey (U…)")),
  fleet: z.string().check(z.regex(FLEET_NAME, FLEET_NAME_MESSAGE)),
  enrollmentToken: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
});
export type Hello = z.infer<typeof helloSchema>;

/**
 * Header of a hello from an agent that renews its credentials (agents since issue 17): the
 * gateway then issues a user JWT that expires, and the agent says hello again on its own
 * credentials before it does. A hello without it (an agent of an earlier release, which never
 * renews) gets a JWT without expiry. A header, not a body field: a gateway of an earlier release
 * checks the body strictly and ignores headers.
 */
export const RENEWS_CREDENTIALS_HEADER = "Statecast-Renews-Credentials";

/**
 * Header of a hello from an agent that needs no consumer but its one fixed one
 * (`targetWatchConsumer`, since issue 17's consumer bound; agents since issue 16 hold none and
 * still send it): value `fixed-consumer`. A gateway
 * running with legacy target watch on issues the previous release's permissions (any consumer
 * name on the device's own key) to hellos without it; otherwise every device gets the bound.
 */
export const TARGET_WATCH_HEADER = "Statecast-Target-Watch";
export const FIXED_TARGET_WATCH = "fixed-consumer";

/** What the gateway answers a hello with. */
export const helloReplySchema = z.discriminatedUnion("status", [
  z.strictObject({ status: z.literal("pending") }),
  z.strictObject({ status: z.literal("enrolled"), jwt: z.string().check(z.minLength(1)) }),
  z.strictObject({ status: z.literal("refused"), reason: z.string() }),
  /** The gateway's hello limits: ask again after `retryAfterMs`. */
  z.strictObject({
    status: z.literal("busy"),
    reason: z.string(),
    retryAfterMs: z.number().check(z.nonnegative()),
  }),
]);
export type HelloReply = z.infer<typeof helloReplySchema>;

/** The first problem with a hello or a reply, for a refusal or a log line. */
export function firstIssue(error: Issues): string {
  return issuesText(error, 1) || "invalid";
}
