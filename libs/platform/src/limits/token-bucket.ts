/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`; `take()` spends one
 * or says how long until one is there. Time is an input (`now`, ms), so tests need no sleeping.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** 0 when a token was taken, else the milliseconds until one will be there (none taken). */
  take(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.ratePerSecond);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }

  /** Whether the bucket is full again (an idle key can be forgotten). */
  full(now: number): boolean {
    return this.tokens + ((now - this.at) / 1000) * this.ratePerSecond >= this.burst;
  }
}

/**
 * One token bucket per key (a fleet, a device), at most `maxKeys` of them: full buckets are
 * forgotten first, so memory stays bounded whatever keys a peer makes up.
 */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly maxKeys = 100_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** 0 when allowed, else the milliseconds to wait before asking again. */
  take(key: string): number {
    const now = this.clock();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.forgetIdle(now);
      bucket = new TokenBucket(this.ratePerSecond, this.burst, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  private forgetIdle(now: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.full(now)) this.buckets.delete(key);
    // Still full of busy keys: drop the oldest (insertion order) rather than grow.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}
