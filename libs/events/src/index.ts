export type { Actor, EventMetadata, NewEvent, RecordedEvent } from "./envelope.js";
export {
  ConcurrencyError,
  type ErrorCode,
  ForbiddenError,
  IllegalStateError,
  NotFoundError,
  StatecastError,
  UnauthorizedError,
  UnprocessableError,
  ValidationError,
  type ValidationIssue,
} from "./errors.js";
export {
  deviceStreamId,
  revisionStreamId,
  rolloutStreamId,
  type StreamType,
  streamKeyOf,
  streamTypeOf,
} from "./stream-id.js";
