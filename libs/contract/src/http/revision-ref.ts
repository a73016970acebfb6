import { z } from "zod";

/** A revision of a fleet's state as JSON: `{fleet, number}` (in events and in the API's answers). */
export const revisionRef = z.strictObject({
  fleet: z.string().min(1).max(128),
  number: z.int().nonnegative(),
});
export type RevisionRefView = z.output<typeof revisionRef>;
