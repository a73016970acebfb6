import type { PipeTransform } from "@nestjs/common";
import type { SchemaObject } from "@nestjs/swagger";
import { ValidationError } from "@statecast/events";
import { z } from "zod";

/** An HTTP contract's zod schema as the OpenAPI document's schema (3.0 dialect). */
export function openApiSchema(schema: z.ZodType): SchemaObject {
  // Cast: zod's JSON Schema type is wider than swagger's SchemaObject; target openapi-3.0 makes
  // the value one.
  return z.toJSONSchema(schema, { target: "openapi-3.0", io: "input" }) as SchemaObject;
}

/**
 * Validates a body (or query) against its HTTP contract's zod schema: the parsed value goes on,
 * a failure is the events lib's ValidationError with one issue per field (400 with details).
 * The app-wide class-validator pipe passes such parameters through (their type is no class).
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    throw new ValidationError("request validation failed", {
      details: parsed.error.issues.map((issue) => ({
        path: issue.path.map(String).join(".") || "(body)",
        message: issue.message,
      })),
    });
  }
}
