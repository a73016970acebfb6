import type { Readable } from "node:stream";
import { Readable as ReadableStream } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

async function* chunksOf(first: Buffer, rest: AsyncIterator<unknown>): AsyncGenerator<Buffer> {
  yield first;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield Buffer.from(next.value as Uint8Array);
  }
}

/** The tar byte stream of a `.tar` or `.tar.gz` input, told apart by the gzip magic bytes. */
export async function* tarBytes(input: Readable): AsyncGenerator<Buffer> {
  const it = input[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await it.next();
    if (next.done) break;
    head = Buffer.concat([head, Buffer.from(next.value as Uint8Array)]);
  }
  if (head.length === 0) return;
  const source = ReadableStream.from(chunksOf(head, it));
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield* source;
    return;
  }
  const gunzip = createGunzip();
  const feeding = pipeline(source, gunzip);
  feeding.catch(() => {
    // The error also destroys `gunzip`, which surfaces it to the loop below.
  });
  for await (const chunk of gunzip) yield chunk as Buffer;
  await feeding;
}
