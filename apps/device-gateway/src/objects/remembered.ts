/**
 * What a lookup answered, remembered for `ttlMs` and shared by concurrent callers: a wave of
 * devices asking for the same object at once costs one lookup, not one each. Only answers
 * `keep` accepts are remembered (a missing object is looked up again next time).
 */
export class Remembered<T> {
  private readonly entries = new Map<string, { until: number; value: Promise<T> }>();
  /** Calls answered by a lookup remembered or already running. */
  hits = 0;
  /** Calls that started a lookup. */
  loads = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly keep: (value: T) => boolean = () => true,
    private readonly clock: () => number = Date.now,
    private readonly limit = 1_000,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.clock();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) {
      this.hits++;
      return hit.value;
    }
    this.loads++;
    if (this.entries.size >= this.limit) this.entries.clear();
    const value = load();
    const entry = { until: now + this.ttlMs, value };
    this.entries.set(key, entry);
    const drop = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    value.then((v) => {
      if (!this.keep(v)) drop();
    }, drop);
    return value;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
