import { HttpException, HttpStatus } from "@nestjs/common";
import {
  StatecastError,
  TimedOutError,
  TooBusyError,
  type ValidationIssue,
} from "@statecast/events";

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: ValidationIssue[];
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody | object;
  headers?: Record<string, string>;
}

const STATUS_BY_CODE: Record<StatecastError["code"], number> = {
  validation: HttpStatus.BAD_REQUEST,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  unauthorized: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  illegal_state: HttpStatus.CONFLICT,
  concurrency: HttpStatus.CONFLICT,
  too_busy: HttpStatus.TOO_MANY_REQUESTS,
  timed_out: HttpStatus.SERVICE_UNAVAILABLE,
};

/** SQLSTATE 57014 with the server's statement-timeout wording (a cancel by hand says otherwise). */
function isStatementTimeout(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === "57014" && typeof message === "string" && message.includes("statement timeout");
}

/** A query cancelled by the pool's `statement_timeout`, said as what it means to the client. */
export function statementTimedOut(error: unknown): TimedOutError | undefined {
  if (!isStatementTimeout(error)) return undefined;
  return new TimedOutError(
    "the query ran longer than the database statement timeout (STATECAST_STATEMENT_TIMEOUT_MS) and was cancelled; narrow it (a time window, a device, a type) or retry later",
    5,
    { cause: error },
  );
}

/** The one place where an error becomes an HTTP status and body. `undefined` = unexpected. */
export function toErrorResponse(thrown: unknown): ErrorResponse | undefined {
  const error = statementTimedOut(thrown) ?? thrown;
  if (error instanceof StatecastError) {
    const status = STATUS_BY_CODE[error.code];
    const body: ErrorBody = { statusCode: status, error: error.code, message: error.message };
    const details = (error as { details?: ValidationIssue[] }).details;
    if (details) body.details = details;
    if (error instanceof TooBusyError || error instanceof TimedOutError) {
      return { status, body, headers: { "Retry-After": String(error.retryAfterSeconds) } };
    }
    return { status, body };
  }
  if (error instanceof HttpException) return fromHttpException(error);
  return undefined;
}

/**
 * Nest's own errors (unknown route, unparsable body) get the same shape as ours; a structured
 * body that is not Nest's standard one (e.g. a failed health report) is passed through.
 */
function fromHttpException(error: HttpException): ErrorResponse {
  const status = error.getStatus();
  const response = error.getResponse();
  let message = error.message;
  if (typeof response === "object" && response !== null) {
    if (!("statusCode" in response && "message" in response)) return { status, body: response };
    const given = (response as { message: unknown }).message;
    message = Array.isArray(given) ? given.join("; ") : String(given);
  }
  const name = HttpStatus[status];
  const body: ErrorBody = {
    statusCode: status,
    error: name ? name.toLowerCase() : "http_error",
    message,
  };
  return { status, body };
}

export const INTERNAL_ERROR: ErrorResponse = {
  status: HttpStatus.INTERNAL_SERVER_ERROR,
  body: {
    statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
    error: "internal",
    message: "internal error; the service log has the details",
  },
};
