/**
 * The entries a target watch or follow has taken, handed out in order by an async iterator that
 * waits for the next one and ends once the queue is closed and drained.
 */
export class EntryQueue<T> {
  private readonly entries: T[] = [];
  private wake: (() => void) | undefined;
  private closed = false;

  push(entry: T): void {
    this.entries.push(entry);
    this.wake?.();
  }

  close(): void {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    while (true) {
      const next = this.entries.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }
}
