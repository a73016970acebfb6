/** Process exit codes of `statecast`. */
export const EXIT_OK = 0;
/** The input is invalid, or did not verify. */
export const EXIT_FAILED = 1;
/** The command line is wrong (unknown command, missing argument, unreadable file). */
export const EXIT_USAGE = 2;

/** A command-line mistake found by a command itself (exit code 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A command's negative verdict whose details were already printed (exit code 1). */
export class CommandFailed extends Error {
  override readonly name = "CommandFailed";
}
