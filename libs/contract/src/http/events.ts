import { z } from "zod";
import { isoInstant } from "./instant.js";

/** `?type=` repeated or comma-separated, as one list. */
const splitTypes = (value: unknown) => {
  if (value === undefined) return value;
  const list = Array.isArray(value) ? value : [value];
  return list
    .flatMap((v) => String(v).split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
};

const DECIMAL = /^-?(0|[1-9][0-9]{0,15})$/;

/**
 * A query integer in `[min, max]` as plain decimal digits (`1e3`, `1.0`, `0x10`, ` 7` are
 * refused, as `Number()` would read them); documented as the integer it is.
 */
export function queryInt(field: string, min: number, max: number) {
  return z
    .string()
    .refine((v) => DECIMAL.test(v), { message: `${field} must be a decimal integer` })
    .transform(Number)
    .pipe(z.int().min(min).max(max))
    .meta({ type: "integer", minimum: min, maximum: max });
}

/** Filters shared by the page, export and live-tail routes of `/v1/events`; every one ANDed. */
export const eventFilterQuery = z.strictObject({
  stream: z.string().max(300).optional().describe("exact stream id, e.g. device:d1"),
  device: z.string().max(128).optional(),
  rollout: z.string().max(128).optional(),
  fleet: z.string().max(128).optional(),
  type: z
    .preprocess(
      splitTypes,
      z
        .array(
          z.string().regex(/^[A-Z][A-Za-z0-9]{0,99}$/, {
            message: "each type must be a PascalCase event type",
          }),
        )
        .max(50),
    )
    .optional()
    .describe("event type(s): repeat or comma-separate"),
  actor: z.string().max(300).optional().meta({ example: "operator:ann" }),
  correlationId: z.string().max(256).optional(),
  from: isoInstant("from")
    .optional()
    .describe(
      "recorded at or after (ISO-8601, to the millisecond: from the start of that millisecond)",
    ),
  to: isoInstant("to")
    .optional()
    .describe(
      "recorded before (ISO-8601, to the millisecond: before the start of that millisecond)",
    ),
  cursor: z
    .string()
    .max(64)
    .optional()
    .describe("opaque cursor from a previous page (`next` or `resume`)"),
});
export type EventFilterQuery = z.output<typeof eventFilterQuery>;

/** `GET /v1/events`: the filters, a page size and the format. */
export const eventPageQuery = eventFilterQuery.extend({
  limit: queryInt("limit", 1, 1000).optional().meta({ default: 100 }),
  format: z.enum(["json", "ndjson", "csv"]).optional().meta({ default: "json" }),
});
export type EventPageQuery = z.output<typeof eventPageQuery>;
