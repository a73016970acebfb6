import type { Logger } from "../log.js";
import { countResourceError, isResourceError } from "./resource-retry.js";

export interface LastResortOptions {
  log: Logger;
  /** How the process ends on an error that is not a resource error (tests pass their own). */
  exit?: (code: number) => void;
}

/**
 * The agent's last line against a rejection or exception no caller handled. A resource error
 * (out of descriptors, disk full…: `isResourceError`) is counted and logged and the agent runs
 * on: whatever it was doing is retried by its own timers (report passes, heartbeats, the target
 * watch), and where the error is awaited `withResourceRetry` waits for the resource to come
 * back. Anything else is a bug whose effect on the agent's state is unknown: it is logged with
 * its stack and the process ends (exit 70) as Node would end it, for the service manager to
 * start it again from its journal and record, which every step keeps crash-safe.
 * Returns a function that removes the handlers.
 */
export function surviveResourceErrors(options: LastResortOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const handle = (kind: string) => (error: unknown) => {
    if (isResourceError(error)) {
      countResourceError(error.code as string);
      options.log.warn(`${kind} out of resources; the agent runs on`, {
        code: error.code,
        error: error.message,
      });
      return;
    }
    options.log.error(`${kind}: ending the agent`, {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    exit(70);
  };
  const onRejection = handle("unhandled rejection");
  const onException = handle("uncaught exception");
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  return () => {
    process.off("unhandledRejection", onRejection);
    process.off("uncaughtException", onException);
  };
}
