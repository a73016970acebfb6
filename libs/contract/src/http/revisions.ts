import { z } from "zod";

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
