import type { ReportRateOptions } from "./report-rate.js";

/** How a StatusIngestor pulls, commits and paces reports; every field has a default. */
export interface StatusIngestorOptions {
  /** Messages pulled but not yet acked, across devices (backpressure; default DEFAULT_MAX_IN_FLIGHT). */
  maxInFlight?: number;
  /** Delay before reports whose events could not be committed are tried again (default 1 s). */
  retryDelayMs?: number;
  /** Commits tried for one report before it is handed back to JetStream (default 10). */
  maxAttempts?: number;
  /** Transactions running at once (default 4) and devices in one transaction (default 500). */
  maxTransactions?: number;
  maxDevicesPerTransaction?: number;
  /** Each device's report rate (see ReportRate). */
  rate?: ReportRateOptions;
  /** Tells a device over its rate when to send again (`sc.inbox.<id>.backoff`). */
  backoff?: (deviceId: string, retryAfterMs: number) => void;
  /** Creates the stream and the consumer when missing; run before each resumed pull. */
  ensureConsumer?: () => Promise<void>;
  /** Waits before pulling again after the pull ended: `resumeDelayMs` doubling to 30 s (default 500 ms). */
  resumeDelayMs?: number;
  /**
   * How long a report that came ahead of earlier ones of its boot waits for them before they are
   * given up (default: the status consumer's ack wait + 5 s, when a dead gateway's are back).
   */
  gapHoldMs?: number;
}

/**
 * Reports pulled and not yet settled, by default: a backlog's reports of one device then go into
 * one transaction together (in stream order the devices take turns: with 2,000 devices, 4,000 in
 * flight gave about 2 a device a transaction; 16,000 drained a 20,000-report backlog ~1.9x as
 * fast). Below the status consumer's `max_ack_pending` (20,000); the ingestor resets the ack
 * wait of reports queued long (see StatusIngestor.keepUnackedAlive).
 */
export const DEFAULT_MAX_IN_FLIGHT = 16_000;
