import { applyDecorators, type PipeTransform } from "@nestjs/common";
import { ApiParam, ApiQuery, type SchemaObject } from "@nestjs/swagger";
import { ValidationError, type ValidationIssue } from "@statecast/events";
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
 * Every operator API body, path and query goes through one: there is no app-wide pipe.
 */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    throw new ValidationError("request validation failed", {
      details: parsed.error.issues.flatMap(toIssues),
    });
  }
}

/** One issue per field; an unknown key is an issue of its own field. */
function toIssues(issue: z.core.$ZodIssue): ValidationIssue[] {
  const at = (...path: PropertyKey[]) => path.map(String).join(".") || "(body)";
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      path: at(...issue.path, key),
      message: `property ${key} should not exist`,
    }));
  }
  return [{ path: at(...issue.path), message: issue.message }];
}

/** Documents each field of a path-parameter schema (validated with ZodPipe on `@Param()`). */
export function ApiPathParams(schema: z.ZodObject): MethodDecorator {
  return applyDecorators(
    ...Object.entries(schema.shape).map(([name, field]) =>
      ApiParam({ name, schema: openApiSchema(field) }),
    ),
  );
}

/** Documents each field of a query schema (validated with ZodPipe on `@Query()`). */
export function ApiQueryParams(schema: z.ZodObject): MethodDecorator {
  return applyDecorators(
    ...Object.entries(schema.shape).map(([name, field]) =>
      ApiQuery({
        name,
        required: !field.safeParse(undefined).success,
        schema: openApiSchema(field),
      }),
    ),
  );
}
