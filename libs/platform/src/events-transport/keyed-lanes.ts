/**
 * Runs tasks at most `limit` at a time, those of one key one after another in the order given.
 * A task that answers `false` (it gave up: its consumer is stopping) ends its key's lane: the
 * key's later tasks do not run, so nothing of that key overtakes what was left undone.
 */
export class KeyedLanes {
  private readonly tails = new Map<string, Promise<boolean>>();
  private readonly all = new Set<Promise<boolean>>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** Resolves once the task has a place (not when it is done). */
  async run(key: string, task: () => Promise<boolean>): Promise<void> {
    while (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    const previous = this.tails.get(key) ?? Promise.resolve(true);
    const done: Promise<boolean> = previous
      .then((ok) => (ok ? task() : false))
      .catch(() => false)
      .finally(() => {
        this.active--;
        this.all.delete(done);
        if (this.tails.get(key) === done) this.tails.delete(key);
        this.waiting.shift()?.();
      });
    this.tails.set(key, done);
    this.all.add(done);
  }

  /** Resolves once every task given so far has ended. */
  async drain(): Promise<void> {
    while (this.all.size > 0) await Promise.all([...this.all]);
  }
}
