import { createHash } from "node:crypto";
import { open, rename, rm, stat, statfs, truncate } from "node:fs/promises";
import { join } from "node:path";
import type { DeltaManifest } from "@statecast/state";
import { ApplyError } from "../apply/apply-error.js";
import { spreadDoubling } from "../backoff.js";
import { fsyncDir } from "../fs/atomic.js";
import type { DownloadCounters } from "../report/report.js";
import type { LocalStore } from "../store/local-store.js";
import { hashFile, pickDelta, rebuildFromDelta } from "./delta-plan.js";
import { type ObjectSource, ObjectUnavailable } from "./object-source.js";

export interface FetchOptions {
  concurrency: number;
  signal: AbortSignal;
  onProgress: (counters: DownloadCounters) => void;
  /** Attempts per object when the source fails mid-way or cannot serve it now (default 20). */
  attempts?: number;
  onRetry?: (id: string, error: Error, retry: Retry) => void;
  /** Bytes to keep free beyond the objects (for trails, logs, overlays). */
  reserveBytes?: number;
  /** A delta that could not be fetched or rebuilt: the full object is fetched instead. */
  onDeltaFallback?: (id: string, error: Error) => void;
}

async function fetchOne(
  store: LocalStore,
  source: ObjectSource,
  id: string,
  signal: AbortSignal,
  onBytes: (n: number) => void,
  /** Where the checked file goes (default: into the store as object `id`). */
  dest = store.objectPath(id),
  /** The partial file's length when the caller has just read it (the first attempt). */
  known?: number,
): Promise<void> {
  const partial = join(store.partialDir, id);
  const offset = known ?? (await partialBytes(partial));
  onBytes(0);
  const stream = await source.open(id, offset, signal);
  if (stream.from > offset)
    throw new Error(`${source.name} resumes ${id} at ${stream.from}, past ${offset}`);
  if (stream.from < offset) await truncate(partial, stream.from);
  // Hashed as it is written: the bytes already there first (a resumed download), then each chunk.
  // Reading the whole file back after the last write cost an object's size again in reads.
  const hash = stream.from > 0 ? await hashFile(partial, stream.from) : createHash("sha256");
  const handle = await open(partial, stream.from > 0 ? "a" : "w", 0o600);
  try {
    for await (const chunk of stream.chunks) {
      await handle.write(chunk);
      hash.update(chunk);
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
  const actual = hash.digest("hex");
  if (actual !== id) {
    await rm(partial, { force: true });
    throw new ApplyError(
      "object_hash_mismatch",
      `object ${id} from ${source.name} hashes to ${actual}`,
    );
  }
  // The directory is synced once for every object of the state (fetchMissingObjects): a power
  // cut before that only loses renames, and the objects are fetched again.
  await rename(partial, dest);
}

const partialBytes = async (path: string) => (await stat(path).catch(() => undefined))?.size ?? 0;

/** The retry about to happen: which attempt failed, of how many, and the wait before the next. */
export interface Retry {
  attempt: number;
  attempts: number;
  delayMs: number;
}

/**
 * The wait before attempt `attempt + 1`: exponential up to 5 s, spread over half to one and a half
 * of it (thousands of devices told "unavailable" at once must not come back at once), and not
 * below the source's own hint.
 */
export function retryDelayMs(attempt: number, hintMs = 0, random = Math.random): number {
  const spread = spreadDoubling(200, attempt, 5000, random);
  return Math.round(Math.max(spread, hintMs * (1 + random() / 2)));
}

/**
 * A broken connection, or a source that cannot serve the object now (`ObjectUnavailable`), is
 * retried (resuming from the partial file) with backoff and jitter, at most `attempts` times; a
 * wrong hash, a missing or refused object or a newer target is final. A source still unavailable
 * after the last attempt ends the download with `object_unavailable`.
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
      if (error instanceof ApplyError || options.signal.aborted) throw error;
      const unavailable = error instanceof ObjectUnavailable;
      if (attempt >= attempts) {
        if (!unavailable) throw error;
        throw new ApplyError(
          "object_unavailable",
          `${(error as Error).message} (still unavailable after ${attempts} attempts)`,
          { cause: error },
        );
      }
      const delayMs = retryDelayMs(attempt, unavailable ? error.retryAfterMs : undefined);
      options.onRetry?.(id, error as Error, { attempt, attempts, delayMs });
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

type Counters = Required<DownloadCounters>;

interface Missing {
  id: string;
  size: number;
  have: number;
  delta?: DeltaManifest;
}

/**
 * Fetches the objects the store lacks: free space checked first, bounded concurrency,
 * resume from the partial file's length, sha256 checked before the rename into the store.
 * An object the source offers a delta for (from an object the store holds) is rebuilt from the
 * delta instead, checked the same way; any failure there falls back to the full object.
 * Returns the counters: bytes needed (full objects), planned and fetched, as deltas, resumed.
 */
export async function fetchMissingObjects(
  store: LocalStore,
  source: ObjectSource,
  ids: string[],
  options: FetchOptions,
): Promise<Counters> {
  // A store holding no object has nothing a delta could start from: its offers are not asked for
  // (a new device's first install, a whole fleet's at once, costs one request per object fewer).
  const deltasUsable = (await store.listObjects()).length > 0;
  // Looked up `concurrency` at a time, as they are fetched: one after another, a state's lookups
  // were a round trip each before its first byte (4 in a row in `bench:fleet`, seconds under load).
  const looked = await inTurns(ids, options.concurrency, async (id): Promise<Missing | null> => {
    if (await store.hasObject(id)) return null;
    // A lookup is a request too (a JetStream API call): a timeout is retried like a cut download,
    // not left to crash the apply with the device never reporting.
    const size = await withRetries(options, id, () => source.size(id));
    const delta = deltasUsable ? await pickDelta(store, source, id, size) : undefined;
    const have = await partialBytes(join(store.partialDir, delta?.id ?? id));
    return { id, size, have, ...(delta ? { delta } : {}) };
  });
  const missing = looked.filter((o): o is Missing => o !== null);
  const planned = (o: Missing) => o.delta?.size ?? o.size;
  const counters: Counters = {
    totalBytes: missing.reduce((n, o) => n + planned(o), 0),
    fetchedBytes: 0,
    objects: missing.length,
    objectsFetched: 0,
    resumedBytes: missing.reduce((n, o) => n + Math.min(o.have, planned(o)), 0),
    neededBytes: missing.reduce((n, o) => n + o.size, 0),
    deltaBytes: 0,
    deltaObjects: 0,
  };
  // Room for every full object (a delta's rebuilt object is as large) plus the deltas.
  const deltas = missing.reduce((n, o) => n + (o.delta?.size ?? 0), 0);
  const needed =
    counters.neededBytes + deltas - counters.resumedBytes + (options.reserveBytes ?? 0);
  const fs = await statfs(store.objectsDir);
  const free = fs.bavail * fs.bsize;
  if (needed > free) {
    throw new ApplyError(
      "no_space",
      `need ${needed} bytes for ${missing.length} objects, ${free} free`,
    );
  }
  const progress = (n: number) => {
    counters.fetchedBytes += n;
    options.onProgress({ ...counters });
  };
  let next = 0;
  const worker = async () => {
    while (next < missing.length) {
      const object = missing[next++]!;
      if (options.signal.aborted)
        throw new ApplyError("superseded", "download aborted by a newer target");
      if (!(object.delta && (await viaDelta(store, source, object, options, counters, progress)))) {
        // The lookup's reading of the partial file holds for the first attempt (not after a
        // delta was tried: that reading was of the delta's partial file).
        let attempt = 0;
        const have = object.delta ? undefined : object.have;
        await withRetries(options, object.id, () =>
          fetchOne(
            store,
            source,
            object.id,
            options.signal,
            progress,
            undefined,
            attempt++ === 0 ? have : undefined,
          ),
        );
      }
      counters.objectsFetched++;
      options.onProgress({ ...counters });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  if (missing.length > 0) await fsyncDir(store.objectsDir);
  return counters;
}

/** `fn` of each item, at most `limit` at once; the results in the items' order. */
async function inTurns<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Fetches and applies a delta; false (after counting the full object in) when it fails. */
async function viaDelta(
  store: LocalStore,
  source: ObjectSource,
  object: Missing,
  options: FetchOptions,
  counters: Counters,
  progress: (n: number) => void,
): Promise<boolean> {
  const delta = object.delta!;
  const deltaPath = join(store.partialDir, `${delta.id}.delta`);
  try {
    await withRetries(options, delta.id, () =>
      fetchOne(
        store,
        source,
        delta.id,
        options.signal,
        (n) => {
          counters.deltaBytes += n;
          progress(n);
        },
        deltaPath,
      ),
    );
    await rebuildFromDelta(store, delta, deltaPath);
    counters.deltaObjects++;
    return true;
  } catch (error) {
    if (options.signal.aborted || (error as ApplyError).reason === "superseded") throw error;
    options.onDeltaFallback?.(delta.to, error as Error);
    counters.totalBytes += object.size;
    return false;
  } finally {
    await rm(deltaPath, { force: true });
  }
}
