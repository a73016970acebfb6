/** A device's report rate: per second, and the burst it may send at once. */
export interface ReportRateOptions {
  /** Reports (heartbeats included) one device may have applied per second (default 10). */
  perSecond?: number;
  /** Reports one device may send at once before its rate applies (default 5 s worth). */
  burst?: number;
  /**
   * Reports of one device the gateway holds in memory while they wait for its rate; past it they
   * are handed back to JetStream and redelivered later (default 2× the burst, at most 15 s of
   * the rate).
   */
  maxHeld?: number;
}

export const DEFAULT_REPORT_RATE = { perSecond: 10, burstSeconds: 5 } as const;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * One token bucket per device (per gateway replica): the ingestor applies a device's reports only
 * as fast as its rate allows, holding the rest in order. Idle devices' buckets are forgotten.
 */
export class ReportRate {
  readonly perSecond: number;
  readonly burst: number;
  readonly maxHeld: number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: ReportRateOptions = {}) {
    this.perSecond = options.perSecond ?? DEFAULT_REPORT_RATE.perSecond;
    this.burst = options.burst ?? this.perSecond * DEFAULT_REPORT_RATE.burstSeconds;
    // Held reports are not acked yet: they must drain well within the consumer's 30 s ack wait.
    this.maxHeld = Math.max(1, Math.min(options.maxHeld ?? this.burst * 2, this.perSecond * 15));
  }

  /** Takes up to `wanted` tokens of the device's bucket; returns how many it got. */
  take(deviceId: string, wanted: number, now: number): number {
    const bucket = this.refilled(deviceId, now);
    const granted = Math.min(wanted, Math.floor(bucket.tokens));
    bucket.tokens -= granted;
    return granted;
  }

  /** Milliseconds until the device has its next token. */
  waitMs(deviceId: string, now: number): number {
    const bucket = this.refilled(deviceId, now);
    return bucket.tokens >= 1 ? 0 : Math.ceil(((1 - bucket.tokens) / this.perSecond) * 1000);
  }

  /** How long a device's held reports take to drain at its rate: when to redeliver the rest. */
  drainMs(): number {
    return Math.ceil((this.maxHeld / this.perSecond) * 1000);
  }

  private refilled(deviceId: string, now: number): Bucket {
    const bucket = this.buckets.get(deviceId) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond,
    );
    bucket.at = now;
    this.buckets.set(deviceId, bucket);
    return bucket;
  }
}
