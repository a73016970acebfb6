/**
 * Values that never change once they exist (a posted revision's objects), kept by key after the
 * first load that finds them. Concurrent lookups of a key being loaded share that load; a key not
 * found is looked up again next time (it may exist by then); a failed load is not kept.
 */
export class KeptOnceFound<T> {
  private readonly kept = new Map<string, T>();
  private readonly loading = new Map<string, Promise<unknown>>();

  /** At most `limit` values are kept; past it the first kept is dropped first. */
  constructor(private readonly limit: number) {}

  /** The values of `keys` that exist, in order; `load` is asked only for keys neither kept nor being loaded. */
  async of(
    keys: readonly string[],
    load: (missing: readonly string[]) => Promise<Map<string, T>>,
  ): Promise<T[]> {
    const missing = keys.filter((key) => !this.kept.has(key) && !this.loading.has(key));
    if (missing.length > 0) {
      const loaded = load(missing)
        .then((found) => {
          for (const [key, value] of found) this.keep(key, value);
        })
        .finally(() => {
          for (const key of missing) if (this.loading.get(key) === loaded) this.loading.delete(key);
        });
      for (const key of missing) this.loading.set(key, loaded);
    }
    await Promise.all(keys.map((key) => this.loading.get(key)));
    return keys.flatMap((key) => {
      const value = this.kept.get(key);
      return value === undefined ? [] : [value];
    });
  }

  private keep(key: string, value: T): void {
    for (const first of this.kept.keys()) {
      if (this.kept.size < this.limit) break;
      this.kept.delete(first);
    }
    this.kept.set(key, value);
  }
}
