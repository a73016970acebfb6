/**
 * One log line for a burst: the first occurrence at once, then at most one line every `everyMs`
 * with how many occurred since the last line (a wave of thousands of devices must not write
 * thousands of lines; `/metrics` counts each one).
 */
export class ThrottledLog {
  private pending = 0;
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly everyMs = 5_000,
    private readonly clock: () => number = Date.now,
  ) {}

  note(log: (count: number) => void): void {
    this.pending++;
    const now = this.clock();
    if (now - this.last < this.everyMs) return;
    this.last = now;
    const count = this.pending;
    this.pending = 0;
    log(count);
  }
}
