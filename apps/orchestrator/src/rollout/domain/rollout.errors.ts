// Local stand-ins until @statecast/events exports its error tree; the names and codes match
// DESIGN/STYLE so swapping the import is the only change needed.

export class IllegalStateError extends Error {
  readonly code = "ILLEGAL_STATE";
  override readonly name = "IllegalStateError";
}

export type ValidationIssue = { path: string; message: string };

export class ValidationError extends Error {
  readonly code = "VALIDATION";
  override readonly name = "ValidationError";
  constructor(
    message: string,
    readonly issues: readonly ValidationIssue[] = [],
  ) {
    super(message);
  }
}
