import type { NatsConnection } from "@nats-io/transport-node";
import {
  ConcurrencyError,
  ForbiddenError,
  IllegalStateError,
  NotFoundError,
  StatecastError,
  TimedOutError,
  TooBusyError,
  UnauthorizedError,
  UnprocessableError,
  ValidationError,
} from "@statecast/events";

/** What a `@MessagePattern` handler's caller gets back: its answer, or its error by code. */
export type ServiceReply<T = unknown> =
  | { ok: true; data: T }
  | { ok: false; error: { code: string; message: string } };

/** The reply for a handler's failure: a Statecast error keeps its code, anything else is internal. */
export function errorReply(error: unknown): ServiceReply<never> {
  if (error instanceof StatecastError)
    return { ok: false, error: { code: error.code, message: error.message } };
  return { ok: false, error: { code: "internal", message: "the service failed to answer" } };
}

const RETRY_AFTER_SECONDS = 1;

/** The error a reply carries, as the class of the one error tree it was thrown as. */
function errorOf(subject: string, { code, message }: { code: string; message: string }): Error {
  switch (code) {
    case "validation":
      return new ValidationError(message);
    case "unprocessable":
      return new UnprocessableError(message);
    case "not_found":
      return new NotFoundError(message);
    case "illegal_state":
      return new IllegalStateError(message);
    case "concurrency":
      return new ConcurrencyError(message);
    case "unauthorized":
      return new UnauthorizedError(message);
    case "forbidden":
      return new ForbiddenError(message);
    case "too_busy":
      return new TooBusyError(message, RETRY_AFTER_SECONDS);
    case "timed_out":
      return new TimedOutError(message, RETRY_AFTER_SECONDS);
    default:
      return new Error(`${subject}: ${message}`);
  }
}

/**
 * Asks the service that answers `subject` (a `@MessagePattern` of the events transport, one
 * replica of its queue group) and resolves with its answer; its error comes back as the same
 * error class, no answer within `timeoutMs` (or no replica listening) as a `TimedOutError`.
 */
export async function requestService<T>(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  options: { timeoutMs: number },
): Promise<T> {
  let text: string;
  try {
    const msg = await nc.request(subject, JSON.stringify(body), { timeout: options.timeoutMs });
    text = msg.string();
  } catch (error) {
    throw new TimedOutError(
      `no answer on ${subject} within ${options.timeoutMs} ms: ${(error as Error).message}`,
      RETRY_AFTER_SECONDS,
      { cause: error },
    );
  }
  const reply = JSON.parse(text) as ServiceReply<T>;
  if (reply.ok) return reply.data;
  throw errorOf(subject, reply.error);
}
