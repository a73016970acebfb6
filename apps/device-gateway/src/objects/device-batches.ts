/** Reads many devices in one query: the view's device streams, say, folded per device. */
export type ReadDevices<T> = (deviceIds: readonly string[]) => Promise<Map<string, T>>;

interface Waiting<T> {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/**
 * Device reads gathered into batches, at most `inFlight` batches at once: the reads asked while
 * the batches in flight run go together in the next one. A wave of 6,000 devices asking for their
 * objects within seconds read one device each, each read waiting for one of the gateway's pool
 * connections, which the ingestion holds under load: thousands of reads queued on the pool, and
 * past its 5 s wait each object request was answered `unavailable` and asked again (166,327 times
 * in one 10,000-device `bench:fleet`; issue 16). Gathered, those reads are a few queries on at
 * most `inFlight` connections. Concurrent reads of one device share its read.
 */
export class DeviceBatches<T> {
  private queued = new Map<string, Waiting<T>[]>();
  private running = 0;

  constructor(
    private readonly readDevices: ReadDevices<T>,
    private readonly absent: (deviceId: string) => T,
    private readonly inFlight = 2,
    private readonly maxBatch = 500,
  ) {}

  read(deviceId: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiting = this.queued.get(deviceId);
      if (waiting) waiting.push({ resolve, reject });
      else this.queued.set(deviceId, [{ resolve, reject }]);
      // After the current tick, so the reads asked together go together.
      if (this.running < this.inFlight) queueMicrotask(() => this.next());
    });
  }

  private next(): void {
    if (this.running >= this.inFlight || this.queued.size === 0) return;
    const batch = new Map<string, Waiting<T>[]>();
    for (const [deviceId, waiting] of this.queued) {
      if (batch.size >= this.maxBatch) break;
      batch.set(deviceId, waiting);
    }
    for (const deviceId of batch.keys()) this.queued.delete(deviceId);
    this.running++;
    this.readDevices([...batch.keys()])
      .then(
        (found) => {
          for (const [deviceId, waiting] of batch) {
            const value = found.get(deviceId) ?? this.absent(deviceId);
            for (const w of waiting) w.resolve(value);
          }
        },
        (error: unknown) => {
          for (const waiting of batch.values()) for (const w of waiting) w.reject(error);
        },
      )
      .finally(() => {
        this.running--;
        this.next();
      });
  }
}
