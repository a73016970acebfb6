interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for idempotent writes: a write alone goes straight out; the ones that arrive while
 * it is in flight go together in the next statement, up to `max` at a time. A failed group is
 * written again one by one, so each caller gets its own outcome and one bad item never fails
 * (nor, retried by its caller, keeps failing) the others.
 */
export class CoalescedWrites<T> {
  private waiting: Waiting<T>[] = [];
  private flushing = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly max = 500,
  ) {}

  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.max);
        try {
          await this.write(group.map((w) => w.item));
          for (const w of group) w.resolve();
        } catch (error) {
          if (group.length === 1) group[0]?.reject(error);
          else await Promise.all(group.map((w) => this.alone(w)));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async alone(waiting: Waiting<T>): Promise<void> {
    try {
      await this.write([waiting.item]);
      waiting.resolve();
    } catch (error) {
      waiting.reject(error);
    }
  }
}
