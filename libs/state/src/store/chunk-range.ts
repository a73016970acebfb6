/** One chunk of a chunked object (as the NATS object store keeps them): its bytes and its seq. */
export interface StoredChunk {
  data: Uint8Array;
  seq: number;
}

/**
 * The bytes `start..end` (inclusive) of an object stored as chunks, read one chunk at a time
 * with `chunkAt` (the first chunk at or after a seq): a slow or aborted download holds no
 * consumer. Throws when the chunks end before `end`.
 */
export async function* chunkRange(
  what: string,
  chunkAt: (seq: number) => Promise<StoredChunk | null | undefined>,
  start: number,
  end: number,
): AsyncGenerator<Buffer> {
  let offset = 0;
  let seq = 1;
  while (offset <= end) {
    const chunk = await chunkAt(seq);
    if (!chunk) throw new Error(`object content ${what} ends before byte ${end}`);
    const data = Buffer.from(chunk.data);
    const from = Math.max(start - offset, 0);
    const to = Math.min(end + 1 - offset, data.length);
    if (from < to) yield data.subarray(from, to);
    offset += data.length;
    seq = chunk.seq + 1;
  }
}
