import { z } from "zod";
import { defineEvent } from "../registry.js";
import { humanMessage, revisionRef, sha256Hex } from "./common.js";

export const RevisionPosted = defineEvent(
  "RevisionPosted",
  1,
  z.strictObject({
    revision: revisionRef,
    /** sha256 of the canonical state JSON. */
    digest: sha256Hex,
    /** Every object the state references, so a device can compute what it lacks. */
    objects: z.array(sha256Hex),
    author: z.string().min(1).max(256),
    message: humanMessage.default(""),
  }),
);
export const RevisionSigned = defineEvent(
  "RevisionSigned",
  1,
  z.strictObject({
    revision: revisionRef,
    /** Digest of the state including the new `_sigs/<name>.json`. */
    digest: sha256Hex,
    signature: z.string().min(1).max(256),
    keyId: z.string().min(1).max(512),
  }),
);
export const RevisionRetired = defineEvent(
  "RevisionRetired",
  1,
  z.strictObject({ revision: revisionRef, reason: humanMessage }),
);

export const revisionCatalog = [RevisionPosted, RevisionSigned, RevisionRetired] as const;
