/** The remote config file is unreadable or invalid, or a remote is unknown. */
export class RemoteConfigError extends Error {
  override readonly name = "RemoteConfigError";
  /** `usage`: the command line was wrong (exit 2) rather than the environment (exit 1). */
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

/** The orchestrator could not be reached at all. */
export class RemoteUnreachableError extends Error {
  override readonly name = "RemoteUnreachableError";
}

/** The orchestrator answered with an error status; `details` are its per-field issues. */
export class RemoteHttpError extends Error {
  override readonly name = "RemoteHttpError";
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}
