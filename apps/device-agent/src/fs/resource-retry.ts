import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../log.js";

/**
 * Errors that say the machine ran short of something (descriptors, disk, memory, a busy
 * resource) rather than that the operation is wrong: waiting and trying again can succeed.
 */
const RESOURCE_CODES = new Set([
  "EMFILE", // this process's descriptors
  "ENFILE", // the system's open-file table
  "ENOSPC", // disk full
  "EDQUOT", // disk quota
  "EAGAIN", // resource temporarily unavailable
  "ENOMEM", // kernel memory for the call
  "ENOBUFS", // socket buffers
  "EBUSY",
]);

export function isResourceError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && RESOURCE_CODES.has(code);
}

/** Counts of resource errors this process met and retried, by code: what a host exports. */
const counts = new Map<string, number>();

export function resourceErrorCounts(): Record<string, number> {
  return Object.fromEntries(counts);
}

/** Counts one resource error met outside `withResourceRetry` (see `last-resort.ts`). */
export function countResourceError(code: string): void {
  counts.set(code, (counts.get(code) ?? 0) + 1);
}

/** Backoff after the `attempt`-th resource error: 50 ms doubling up to `maxMs`, full jitter. */
export function resourceBackoff(attempt: number, maxMs = 5000, random = Math.random): number {
  return Math.max(10, Math.round(random() * Math.min(maxMs, 50 * 2 ** Math.min(attempt, 12))));
}

export interface ResourceRetryOptions {
  log?: Logger;
  /** What is being done, for the log line. */
  what: string;
  maxDelayMs?: number;
}

/**
 * Runs `operation`; while it fails with a resource error (see `isResourceError`) the error is
 * counted, logged (once per code until it clears) and the operation retried after a backoff,
 * without end: an agent waits for descriptors or disk space to come back rather than dying or
 * dropping a report. Any other error is thrown as is.
 */
export async function withResourceRetry<T>(
  operation: () => Promise<T>,
  options: ResourceRetryOptions,
): Promise<T> {
  let lastCode: string | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      const value = await operation();
      if (lastCode !== undefined)
        options.log?.info(`${options.what}: resources back, done`, { attempts: attempt + 1 });
      return value;
    } catch (error) {
      if (!isResourceError(error)) throw error;
      const code = error.code as string;
      countResourceError(code);
      const delayMs = resourceBackoff(attempt, options.maxDelayMs);
      if (code !== lastCode) {
        const fields = { code, attempt: attempt + 1, retryInMs: delayMs, error: error.message };
        if (options.log) options.log.warn(`${options.what}: out of resources; retrying`, fields);
        else process.stderr.write(`${options.what}: ${JSON.stringify(fields)}\n`);
      }
      lastCode = code;
      await sleep(delayMs);
    }
  }
}
