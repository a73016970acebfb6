/** A chunk of an object's content as served to devices: its stream sequence and its bytes. */
export interface Chunk {
  seq: number;
  data: Uint8Array;
}

/**
 * 64 MiB holds a revision's worth of 128 KiB chunks (512 of them) while a wave of devices
 * fetches it; the gateway's heap is far larger than that under a 10,000-device wave anyway.
 */
export const DEFAULT_CHUNK_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Chunks of `sc_objects` already read for devices, by content nuid and the sequence asked: a
 * chunk under a nuid never changes (a re-put writes a new nuid, a delete purges the nuid), and a
 * wave of devices asks the same (nuid, sequence) pairs in the same order, so one read serves
 * the wave. Bounded by bytes, the least recently used chunk dropped first. Concurrent requests
 * for a chunk not held share one read; a read that failed or found no chunk is not remembered
 * (the responder then looks the object up again). Counts what it did, for `/metrics`.
 */
export class ChunkCache {
  /** Requests answered from a chunk held. */
  hits = 0;
  /** Requests that shared a read already running for the same chunk. */
  shared = 0;
  /** Requests that read the chunk themselves (one read of `sc_objects` each). */
  misses = 0;
  /** Chunks dropped to stay under `maxBytes`. */
  evictions = 0;
  /** Bytes of chunk data held now. */
  bytes = 0;
  /** Insertion order is recency: the first entry is the least recently used. */
  private readonly held = new Map<string, Chunk>();
  private readonly reading = new Map<string, Promise<Chunk | null>>();

  constructor(readonly maxBytes = DEFAULT_CHUNK_CACHE_BYTES) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0)
      throw new Error(`chunk cache: maxBytes must be an integer ≥ 0 (got ${maxBytes})`);
  }

  /** How many chunks are held now. */
  get chunks(): number {
    return this.held.size;
  }

  /**
   * The chunk of content `nuid` at or after sequence `seq`: held, being read, or read now by
   * `read` (null when there is none).
   */
  get(nuid: string, seq: number, read: () => Promise<Chunk | null>): Promise<Chunk | null> {
    const key = `${nuid}:${seq}`;
    const held = this.held.get(key);
    if (held) {
      this.hits++;
      this.held.delete(key);
      this.held.set(key, held);
      return Promise.resolve(held);
    }
    const running = this.reading.get(key);
    if (running) {
      this.shared++;
      return running;
    }
    this.misses++;
    const reading = (async () => {
      try {
        const chunk = await read();
        if (chunk) this.keep(key, chunk);
        return chunk;
      } finally {
        this.reading.delete(key);
      }
    })();
    this.reading.set(key, reading);
    return reading;
  }

  /** Drops every chunk of content `nuid` (its object was deleted or put again). */
  forgetContent(nuid: string): void {
    const prefix = `${nuid}:`;
    for (const [key, chunk] of this.held)
      if (key.startsWith(prefix)) {
        this.held.delete(key);
        this.bytes -= chunk.data.byteLength;
      }
  }

  private keep(key: string, chunk: Chunk): void {
    if (chunk.data.byteLength > this.maxBytes || this.held.has(key)) return;
    // A view into a larger buffer (the client's read buffer) would hold all of it: own the bytes.
    const data =
      chunk.data.byteOffset === 0 && chunk.data.byteLength === chunk.data.buffer.byteLength
        ? chunk.data
        : chunk.data.slice();
    this.held.set(key, { seq: chunk.seq, data });
    this.bytes += data.byteLength;
    for (const [oldest, old] of this.held) {
      if (this.bytes <= this.maxBytes) break;
      this.held.delete(oldest);
      this.bytes -= old.data.byteLength;
      this.evictions++;
    }
  }
}
