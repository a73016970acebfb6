import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open, rename, rm, stat, statfs, truncate } from "node:fs/promises";
import { join } from "node:path";
import { ApplyError } from "../apply/apply-error.js";
import { fsyncDir } from "../fs/atomic.js";
import type { DownloadCounters } from "../report/report.js";
import type { LocalStore } from "../store/local-store.js";
import type { ObjectSource } from "./object-source.js";

export interface FetchOptions {
  concurrency: number;
  signal: AbortSignal;
  onProgress: (counters: DownloadCounters) => void;
  /** Attempts per object when the source fails mid-way (default 20). */
  attempts?: number;
  onRetry?: (id: string, error: Error) => void;
  /** Bytes to keep free beyond the objects (for trails, logs, overlays). */
  reserveBytes?: number;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function fetchOne(
  store: LocalStore,
  source: ObjectSource,
  id: string,
  signal: AbortSignal,
  onBytes: (n: number) => void,
): Promise<void> {
  const partial = join(store.partialDir, id);
  const offset = (await stat(partial).catch(() => undefined))?.size ?? 0;
  onBytes(0);
  const stream = await source.open(id, offset, signal);
  if (stream.from > offset)
    throw new Error(`${source.name} resumes ${id} at ${stream.from}, past ${offset}`);
  if (stream.from < offset) await truncate(partial, stream.from);
  const handle = await open(partial, "a", 0o600);
  try {
    for await (const chunk of stream.chunks) {
      await handle.write(chunk);
      onBytes(chunk.length);
    }
    await handle.sync();
  } catch (error) {
    if (signal.aborted)
      throw new ApplyError("superseded", `download of ${id} aborted by a newer target`, {
        cause: error,
      });
    throw error;
  } finally {
    await handle.close();
  }
  const actual = await sha256File(partial);
  if (actual !== id) {
    await rm(partial, { force: true });
    throw new ApplyError(
      "object_hash_mismatch",
      `object ${id} from ${source.name} hashes to ${actual}`,
    );
  }
  await rename(partial, store.objectPath(id));
  await fsyncDir(store.objectsDir);
}

/**
 * A broken connection is retried (resuming from the partial file) with backoff; a wrong
 * hash, a missing object or a newer target is final.
 */
async function withRetries<T>(
  options: FetchOptions,
  id: string,
  fetch: () => Promise<T>,
): Promise<T> {
  const attempts = options.attempts ?? 20;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch();
    } catch (error) {
      if (error instanceof ApplyError || options.signal.aborted || attempt >= attempts) throw error;
      options.onRetry?.(id, error as Error);
      await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
    }
  }
}

/**
 * Fetches the objects the store lacks: free space checked first, bounded concurrency,
 * resume from the partial file's length, sha256 checked before the rename into the store.
 * Returns the counters, including `resumedBytes` reused from earlier partial downloads.
 */
export async function fetchMissingObjects(
  store: LocalStore,
  source: ObjectSource,
  ids: string[],
  options: FetchOptions,
): Promise<DownloadCounters & { resumedBytes: number }> {
  const missing: { id: string; size: number; have: number }[] = [];
  for (const id of ids) {
    if (await store.hasObject(id)) continue;
    const have = (await stat(join(store.partialDir, id)).catch(() => undefined))?.size ?? 0;
    // A lookup is a request too (a JetStream API call): a timeout is retried like a cut download,
    // not left to crash the apply with the device never reporting.
    const size = await withRetries(options, id, () => source.size(id));
    missing.push({ id, size, have });
  }
  const counters = {
    totalBytes: missing.reduce((n, o) => n + o.size, 0),
    fetchedBytes: 0,
    objects: missing.length,
    objectsFetched: 0,
    resumedBytes: missing.reduce((n, o) => n + Math.min(o.have, o.size), 0),
  };
  const needed = counters.totalBytes - counters.resumedBytes + (options.reserveBytes ?? 0);
  const fs = await statfs(store.objectsDir);
  const free = fs.bavail * fs.bsize;
  if (needed > free) {
    throw new ApplyError(
      "no_space",
      `need ${needed} bytes for ${missing.length} objects, ${free} free`,
    );
  }
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const object = missing[next++]!;
      if (options.signal.aborted)
        throw new ApplyError("superseded", "download aborted by a newer target");
      await withRetries(options, object.id, () =>
        fetchOne(store, source, object.id, options.signal, (n) => {
          counters.fetchedBytes += n;
          options.onProgress({ ...counters });
        }),
      );
      counters.objectsFetched++;
      options.onProgress({ ...counters });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return counters;
}
