/**
 * Per-device token bucket: one message per `minIntervalMs` on average, a burst of `burst` (a
 * reconnect sends one at once; jitter brings two closer than the interval now and then).
 */
export class MetricsRate {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly minIntervalMs: number,
    private readonly burst = 3,
    private readonly maxDevices = 1_000_000,
  ) {}

  /** Whether a message of `deviceId` arriving at `now` is within its bound (spends a token). */
  take(deviceId: string, now = Date.now()): boolean {
    const bucket = this.buckets.get(deviceId);
    if (!bucket) {
      if (this.buckets.size >= this.maxDevices) this.forgetIdle(now);
      this.buckets.set(deviceId, { tokens: this.burst - 1, at: now });
      return true;
    }
    const refill = this.minIntervalMs > 0 ? (now - bucket.at) / this.minIntervalMs : this.burst;
    bucket.tokens = Math.min(this.burst, bucket.tokens + Math.max(0, refill));
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Drops buckets that refilled completely: they hold nothing a new bucket would not. */
  private forgetIdle(now: number): void {
    for (const [id, bucket] of this.buckets)
      if (now - bucket.at >= this.burst * this.minIntervalMs) this.buckets.delete(id);
  }
}
