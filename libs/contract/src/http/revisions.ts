import { z } from "zod";
import { queryInt } from "./events.js";
import { fleetName } from "./fleet.js";

/** A posted revision as `GET /v1/fleets/:fleet/revisions` lists it (and `POST` answers). */
export const revisionView = z.strictObject({
  fleet: z.string(),
  number: z.int().nonnegative(),
  digest: z.string().describe("sha256 of the canonical state JSON"),
  objects: z.array(z.string()).describe("every object the state references"),
  author: z.string().describe("who posted it, e.g. operator:ann"),
  message: z.string(),
  postedAt: z.string(),
});
export type RevisionView = z.output<typeof revisionView>;

/** `GET /v1/fleets/:fleet/revisions/:number`: the revision and its state. */
export const revisionWithState = revisionView.extend({
  state: z.record(z.string(), z.unknown()),
});
export type RevisionWithState = z.output<typeof revisionWithState>;

/** `POST /v1/fleets/:fleet/revisions`: a state as the fleet's next revision. */
export const postRevisionRequest = z.strictObject({
  state: z
    .unknown()
    .refine((state) => state !== undefined && state !== null, {
      message: "state should not be null or undefined",
    })
    .describe(
      "the state: a JSON object, or its JSON text (text keeps number lexemes exactly, which signatures may depend on)",
    )
    .meta({ oneOf: [{ type: "object" }, { type: "string" }] }),
  message: z.string().max(4096).optional(),
});
export type PostRevisionRequest = z.output<typeof postRevisionRequest>;

const revisionNumber = (field: string) => queryInt(field, 1, 2 ** 31 - 1);

/** The path of `/v1/fleets/:fleet/revisions/:number/…`. */
export const revisionParams = z.strictObject({
  fleet: fleetName,
  number: revisionNumber("revision number"),
});
export type RevisionParams = z.output<typeof revisionParams>;

/** The path of `/v1/fleets/:fleet/revisions/:a/diff/:b`. */
export const revisionDiffParams = z.strictObject({
  fleet: fleetName,
  a: revisionNumber("revision a"),
  b: revisionNumber("revision b"),
});
export type RevisionDiffParams = z.output<typeof revisionDiffParams>;

/** The query of `GET /v1/fleets/:fleet/revisions`. */
export const revisionListQuery = z.strictObject({
  limit: queryInt("limit", 1, 500).optional(),
  after: queryInt("after", 0, 2 ** 31 - 1)
    .optional()
    .describe("list revisions numbered above this one"),
});
export type RevisionListQuery = z.output<typeof revisionListQuery>;

/** What `GET /v1/fleets/:fleet/revisions/:number/signatures` answers. */
export const signaturesView = z.strictObject({
  ok: z.boolean().describe("every signature valid and every key covered, as the policy asks"),
  mode: z.string().describe("the trust policy's mode"),
  signatures: z.array(
    z.strictObject({
      key: z.string().meta({ example: "_sigs/app.json" }),
      status: z.enum(["valid", "invalid", "untrusted_key", "covers_nothing"]),
      reason: z.string().optional(),
      alg: z.string().optional(),
      covers: z.array(z.string()).describe("state keys the signature covers"),
      trustedBy: z.string().optional().describe("the trusted signer that accepted it"),
    }),
  ),
  uncovered: z.array(z.string()).describe("keys no valid, trusted signature covers"),
});
