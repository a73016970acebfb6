import { z } from "zod";

/** An object's id: the lowercase hex sha256 of its content. */
export const SHA256 = /^[0-9a-f]{64}$/;

/** The path of `/v1/objects/:sha256`. */
export const objectIdParams = z.strictObject({
  sha256: z
    .string()
    .regex(SHA256, { message: "sha256 must be 64 lowercase hex characters" })
    .describe("lowercase hex sha256 of the object's content"),
});
export type ObjectIdParams = z.output<typeof objectIdParams>;

/** `POST /v1/objects/missing`: which of these objects does the server lack? */
export const missingObjectsRequest = z.strictObject({
  shas: z
    .array(z.string().regex(SHA256, { message: "each sha must be 64 lowercase hex characters" }))
    .max(100_000)
    .describe("object ids the client means to upload"),
});
export type MissingObjectsRequest = z.output<typeof missingObjectsRequest>;

/** What `POST /v1/objects/missing` answers. */
export const missingObjectsResponse = z.strictObject({
  missing: z.array(z.string()).describe("the ones this server does not hold"),
});
export type MissingObjectsResponse = z.output<typeof missingObjectsResponse>;

/** What `PUT /v1/objects/:sha256` answers. */
export const objectStored = z.strictObject({
  sha256: z.string(),
  size: z.int().nonnegative(),
  created: z.boolean().describe("false when the object was already present"),
});
export type ObjectStored = z.output<typeof objectStored>;

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

/** `GET /v1/objects/stats`: byte and object counters since the orchestrator started. */
export const objectStats = z.strictObject({
  uploadedBytes: count.describe(
    "bytes of objects newly stored by uploads (duplicates and refused uploads excluded)",
  ),
  storedObjects: count,
  duplicateUploads: count.describe(
    "uploads answered from an object already present, without receiving a second copy",
  ),
  refusedUploads: count.describe("uploads refused: wrong hash, wrong size or over the limit"),
  servedBytes: count.describe("bytes sent by GET (full and ranged)"),
});
export type ObjectStats = z.output<typeof objectStats>;
