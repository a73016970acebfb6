import { createReadStream } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import * as tar from "tar-stream";
import { FIXTURE_DIR } from "./fixtures.test-helper.js";

/** A tar member to build: header fields plus content. */
export type Member = Partial<tar.Header> & { name: string; data?: Buffer | string };

/** Builds a tar archive in memory (optionally gzipped). */
export async function tarOf(members: Member[], gzip = false): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const { data, ...header } of members) {
    const body = data === undefined ? undefined : Buffer.from(data);
    await new Promise<void>((resolve, reject) => {
      const done = (e?: Error | null) => (e ? reject(e) : resolve());
      if (body) pack.entry({ ...header, size: body.length }, body, done);
      else pack.entry(header, done);
    });
  }
  pack.finalize();
  await collected;
  const bytes = Buffer.concat(chunks);
  return gzip ? gzipSync(bytes) : bytes;
}

/** The members of a fixture bundle, read into memory (fixtures are small). */
export async function fixtureMembers(file: string): Promise<Member[]> {
  const extract = tar.extract();
  const source = createReadStream(join(FIXTURE_DIR, file));
  const input = file.endsWith(".tgz")
    ? source.pipe((await import("node:zlib")).createGunzip())
    : source;
  input.pipe(extract);
  const members: Member[] = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    members.push({ name: entry.header.name, type: entry.header.type, data: Buffer.concat(chunks) });
  }
  return members;
}

/** A readable over bytes. */
export function streamOf(bytes: Buffer): Readable {
  return Readable.from([bytes]);
}
