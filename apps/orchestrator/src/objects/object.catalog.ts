import { defineEvent } from "@statecast/events";
import { z } from "zod";

/** Stream of the orchestrator's object store: one, `objects:store`. */
export const OBJECT_STORE_STREAM = "objects:store";

/** Most object ids one ObjectsCollected lists; `removed` counts them all. */
export const COLLECTED_IDS_LISTED = 1000;

/**
 * A garbage-collection pass removed objects no revision references that were older than the
 * grace period. The actor is the operator who asked for it or `system:object-gc`.
 */
export const ObjectsCollected = defineEvent(
  "ObjectsCollected",
  1,
  z.strictObject({
    removed: z.int().nonnegative(),
    bytes: z.int().nonnegative(),
    graceSeconds: z.int().nonnegative(),
    /** The first COLLECTED_IDS_LISTED removed ids, in id order. */
    objects: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(COLLECTED_IDS_LISTED),
  }),
);

export const objectCatalog = [ObjectsCollected] as const;
