/**
 * Pantavisor's container auto-recovery (run.json `auto_recovery`, or a group's default in
 * device.json): restart a `container`-policy part that exited after its revision committed,
 * with exponential backoff and a retry budget. Pure: the supervisor feeds it facts and time.
 *
 * ```json
 * "auto_recovery": { "type": "on-failure", "maximum_retry_count": 5, "retry_delay": 1,
 *                    "backoff_factor": 2.0, "reset_window": 300 }
 * ```
 */
export type RecoveryType = "no" | "always" | "on-failure" | "unless-stopped";

export interface AutoRecoveryPolicy {
  type: RecoveryType;
  /** Restarts allowed before the container is left stopped (FAILED). */
  maxRetries: number;
  /** Delay before the first restart; each later one is multiplied by `backoffFactor`. */
  retryDelayMs: number;
  backoffFactor: number;
  /** A container that ran at least this long before exiting gets its full budget back. */
  resetWindowMs: number;
}

/** Pantavisor leaves a default unset; these are the agent's, documented in its README. */
export const RECOVERY_DEFAULTS = {
  maxRetries: 3,
  retryDelayMs: 1_000,
  backoffFactor: 2,
  resetWindowMs: 300_000,
} as const;
/** No single backoff longer than an hour. */
export const MAX_RETRY_DELAY_MS = 3_600_000;

export class InvalidRecoveryError extends Error {
  override readonly name = "InvalidRecoveryError";
}

const TYPES: readonly RecoveryType[] = ["no", "always", "on-failure", "unless-stopped"];

function seconds(raw: Record<string, unknown>, key: string, fallbackMs: number): number {
  const value = raw[key];
  if (value === undefined) return fallbackMs;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 86_400) {
    throw new InvalidRecoveryError(`${key} must be seconds between 0 and 86400`);
  }
  return Math.round(value * 1000);
}

/** Reads an `auto_recovery` value; undefined when absent. Throws on a malformed one. */
export function parseAutoRecovery(value: unknown): AutoRecoveryPolicy | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (value === true) return parsePolicy({ type: "on-failure" });
  return parsePolicy(value);
}

function parsePolicy(value: unknown): AutoRecoveryPolicy {
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new InvalidRecoveryError("auto_recovery must be an object");
  }
  const raw = value as Record<string, unknown>;
  const type = raw.type ?? raw.policy ?? "no";
  if (!TYPES.includes(type as RecoveryType)) {
    throw new InvalidRecoveryError(`auto_recovery type ${String(type)} is not ${TYPES.join("|")}`);
  }
  const retries = raw.maximum_retry_count ?? raw.max_retries ?? RECOVERY_DEFAULTS.maxRetries;
  if (
    typeof retries !== "number" ||
    !Number.isSafeInteger(retries) ||
    retries < 0 ||
    retries > 10_000
  ) {
    throw new InvalidRecoveryError("maximum_retry_count must be an integer between 0 and 10000");
  }
  const factor = raw.backoff_factor ?? RECOVERY_DEFAULTS.backoffFactor;
  if (typeof factor !== "number" || !Number.isFinite(factor) || factor < 1 || factor > 100) {
    throw new InvalidRecoveryError("backoff_factor must be a number between 1 and 100");
  }
  return {
    type: type as RecoveryType,
    maxRetries: retries,
    retryDelayMs: seconds(raw, "retry_delay", RECOVERY_DEFAULTS.retryDelayMs),
    backoffFactor: factor,
    resetWindowMs: seconds(raw, "reset_window", RECOVERY_DEFAULTS.resetWindowMs),
  };
}

/** How a container's init ended: an exit code, a signal, or unknown (counted as a failure). */
export type ExitStatus = { code: number } | { signal: number } | undefined;

/** What recovery remembers of one container between exits. */
export interface RecoveryHistory {
  /** Restarts done since the budget was last reset. */
  retries: number;
}

export type RecoveryDecision =
  | { action: "restart"; attempt: number; delayMs: number; history: RecoveryHistory }
  | { action: "leave"; why: string; history: RecoveryHistory };

/** Whether and when to restart a container that exited after running `ranForMs`. */
export function decideRecovery(
  policy: AutoRecoveryPolicy,
  history: RecoveryHistory,
  exit: ExitStatus,
  ranForMs: number,
): RecoveryDecision {
  const retries = ranForMs >= policy.resetWindowMs ? 0 : history.retries;
  if (policy.type === "no") return { action: "leave", why: "auto_recovery is off", history };
  const clean = exit !== undefined && "code" in exit && exit.code === 0;
  if (policy.type === "on-failure" && clean) {
    return { action: "leave", why: "exited with status 0 (on-failure)", history: { retries } };
  }
  if (retries >= policy.maxRetries) {
    return {
      action: "leave",
      why: `gave up after ${retries} restart(s) (maximum_retry_count ${policy.maxRetries})`,
      history: { retries },
    };
  }
  const delayMs = Math.min(
    MAX_RETRY_DELAY_MS,
    Math.round(policy.retryDelayMs * policy.backoffFactor ** retries),
  );
  return { action: "restart", attempt: retries + 1, delayMs, history: { retries: retries + 1 } };
}
