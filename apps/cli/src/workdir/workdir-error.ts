/**
 * A working-directory operation that cannot proceed; `code` is machine-readable and the
 * message says what to do. `usage` marks errors caused by how the command was called.
 */
export class WorkdirError extends Error {
  override readonly name = "WorkdirError";
  constructor(
    readonly code: string,
    message: string,
    readonly usage = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
