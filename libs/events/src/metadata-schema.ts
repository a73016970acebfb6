import { TRACEPARENT } from "@statecast/contract";
import { z } from "zod";
import { metadataAsIs } from "./catalog/as-is.js";
import type { EventMetadata } from "./envelope.js";
import { ValidationError } from "./errors.js";

const metadataSchema = z.object({
  correlationId: z.string().min(1).max(256),
  causationId: z.string().min(1).max(256),
  actor: z
    .string()
    .regex(
      /^(operator|device|system):[^\s]{1,256}$/,
      "expected operator:<name>, device:<id> or system:<processor>",
    ),
  traceparent: z.string().regex(TRACEPARENT, "expected a W3C traceparent").optional(),
  now: z.iso.datetime({ offset: true }),
});

/** The schema itself, for the test that holds `metadataAsIs` to it. */
export const metadataSchemaForTests = metadataSchema;

/** Checks the envelope metadata of an event about to be appended. */
export function validateMetadata(type: string, metadata: unknown): EventMetadata {
  if (metadataAsIs(metadata)) return metadata as EventMetadata;
  const parsed = metadataSchema.safeParse(metadata);
  if (parsed.success) return parsed.data as EventMetadata;
  const details = parsed.error.issues.map((issue) => ({
    path: ["metadata", ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
  const fields = details.map((d) => `${d.path}: ${d.message}`).join("; ");
  throw new ValidationError(`invalid metadata on ${type} event: ${fields}`, { details });
}
