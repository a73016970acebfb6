import { z } from "zod";

/** `POST /v1/objects/gc`: one pass of the object store's garbage collection. */
export const objectGcRequest = z.strictObject({
  dryRun: z.boolean().optional().describe("say what would be removed, remove nothing"),
});
export type ObjectGcRequest = z.output<typeof objectGcRequest>;

const count = z.int().nonnegative();

/** What `POST /v1/objects/gc` answers (and what `ObjectsCollected` summarises). */
export const objectGcResult = z.strictObject({
  dryRun: z.boolean(),
  graceSeconds: count.describe("unreferenced objects younger than this are kept"),
  examined: count.describe("objects in the store when the pass began"),
  referenced: count.describe("kept: a revision references them"),
  fresh: count.describe("kept: unreferenced but within the grace period"),
  removed: count.describe("removed (would be, in a dry run)"),
  bytes: count.describe("their bytes"),
  objects: z.array(z.string()).describe("their ids (the first 1000, in id order)"),
});
export type ObjectGcResult = z.output<typeof objectGcResult>;
