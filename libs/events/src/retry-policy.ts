import { setTimeout as sleep } from "node:timers/promises";
import { ConcurrencyError } from "./errors.js";

/**
 * THE retry policy of every optimistic write (one stream, many streams, or a whole transaction):
 * bounded attempts, jittered exponential backoff, and only for conflicts another writer caused.
 */
export interface RetryPolicy {
  /** Attempts in total, including the first. */
  maxAttempts: number;
  /** Backoff before the second attempt; doubled after each conflict, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 5,
  maxDelayMs: 200,
};

const PG_SERIALIZATION_FAILURE = "40001";
const PG_DEADLOCK_DETECTED = "40P01";

/**
 * Whether running the work again from a fresh read may succeed: a version conflict (the store's
 * ConcurrencyError) or a transaction Postgres aborted as a serialization failure or deadlock.
 * Anything else (a refused decision, a broken connection) is final.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ConcurrencyError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return code === PG_SERIALIZATION_FAILURE || code === PG_DEADLOCK_DETECTED;
}

/**
 * Wait before attempt `attempt + 1` ("equal jitter"): half the capped exponential step, plus a
 * random part of the other half, so racing writers spread out but none waits for nothing.
 */
export function backoffMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return step / 2 + random() * (step / 2);
}

/** Every attempt of a write lost to another writer; `cause` is the last conflict. */
export class RetriesExhaustedError extends ConcurrencyError {
  constructor(
    readonly what: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    const last = cause instanceof Error ? cause.message : String(cause);
    super(
      `${what}: gave up after ${attempts} attempts, each lost to a concurrent write (last: ${last})`,
      {
        cause,
      },
    );
  }
}

/**
 * Runs `work` until it succeeds, retrying per `policy` when it fails with a retryable error
 * (`isRetryable`). `work` must redo its reads: each attempt starts from what is committed now.
 */
export async function withRetry<T>(
  what: string,
  work: (attempt: number) => Promise<T>,
  policy: Partial<RetryPolicy> = {},
): Promise<T> {
  const p: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...policy };
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (attempt >= p.maxAttempts) throw new RetriesExhaustedError(what, attempt, error);
      await sleep(backoffMs(attempt, p));
    }
  }
}
