/** A failure while installing or testing a revision; `reason` is the machine-readable one reported. */
export class ApplyError extends Error {
  override readonly name = "ApplyError";
  constructor(
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
