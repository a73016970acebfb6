/** A field-level problem found while validating input. */
export interface ValidationIssue {
  path: string;
  message: string;
}

export type ErrorCode =
  | "validation"
  | "unprocessable"
  | "not_found"
  | "illegal_state"
  | "concurrency"
  | "unauthorized"
  | "forbidden"
  | "too_busy"
  | "timed_out";

/**
 * Root of the one error tree. Codes are mapped to HTTP statuses or NATS error replies in one
 * place (an exception filter / gateway mapper); domain code throws these, never transport errors.
 */
export abstract class StatecastError extends Error {
  abstract readonly code: ErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input failed a schema or a rule about its shape. */
export class ValidationError extends StatecastError {
  readonly code: "validation" | "unprocessable" = "validation";
  readonly details: ValidationIssue[] | undefined;

  constructor(message: string, options?: { details?: ValidationIssue[]; cause?: unknown }) {
    super(message, options);
    this.details = options?.details;
  }
}

/** Well-formed input that the domain refuses as it stands (HTTP 422), e.g. a digest mismatch. */
export class UnprocessableError extends ValidationError {
  override readonly code = "unprocessable" as const;
}

/** The thing asked for does not exist. */
export class NotFoundError extends StatecastError {
  readonly code = "not_found" as const;
}

/** The command is not allowed in the current state of the aggregate. */
export class IllegalStateError extends StatecastError {
  readonly code = "illegal_state" as const;
}

/** Someone else wrote to the stream first (expected version did not match). */
export class ConcurrencyError extends StatecastError {
  readonly code = "concurrency" as const;
}

/** No valid credentials were presented. */
export class UnauthorizedError extends StatecastError {
  readonly code = "unauthorized" as const;
}

/** Valid credentials, but the role is too weak for this action. */
export class ForbiddenError extends StatecastError {
  readonly code = "forbidden" as const;
}

/** A bound on concurrent work was reached (HTTP 429); retrying after `retryAfterSeconds` may pass. */
export class TooBusyError extends StatecastError {
  readonly code = "too_busy" as const;

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The work took longer than its time bound and was cancelled (HTTP 503); nothing was written. */
export class TimedOutError extends StatecastError {
  readonly code = "timed_out" as const;

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
