import { type ValidationError as FieldError, ValidationPipe } from "@nestjs/common";
import { ValidationError, type ValidationIssue } from "@statecast/events";

/** Flattens class-validator's nested errors into `{path, message}` issues. */
export function toIssues(errors: FieldError[], prefix = ""): ValidationIssue[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ path, message }));
    return [...own, ...toIssues(error.children ?? [], path)];
  });
}

/**
 * The app-wide DTO pipe: unknown fields refused, query strings converted to their declared
 * types, and failures thrown as the events lib's ValidationError so the one exception filter
 * maps them (400 with field details).
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      new ValidationError("request validation failed", { details: toIssues(errors) }),
  });
}
