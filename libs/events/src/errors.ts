// The error tree lives in the device-plane contract (the agent's bundle needs it without the
// event store); re-exported here so that services keep importing it from @statecast/events.
export {
  ConcurrencyError,
  type ErrorCode,
  ForbiddenError,
  IllegalStateError,
  NotFoundError,
  StatecastError,
  TimedOutError,
  TooBusyError,
  UnauthorizedError,
  UnprocessableError,
  ValidationError,
  type ValidationIssue,
} from "@statecast/contract";
