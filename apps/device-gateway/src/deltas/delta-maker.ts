import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ObjectStore as NatsObjectStore } from "@nats-io/obj";
import {
  type DeltaAlgo,
  type DeltaManifest,
  deltaOffersName,
  isDeltaManifest,
  makeDelta,
  type ObjectStore,
} from "@statecast/state";
import { DEFAULT_DELTA_ALGO, DEFAULT_DELTA_MAX_RATIO } from "./delta-policy.js";

/**
 * What `sc_objects` holds under `deltas.<to>`: the deltas offered for object `to`, and the
 * `from` objects already tried whose delta was over the threshold (so they are not retried).
 */
export interface DeltaOffers {
  to: string;
  offers: DeltaManifest[];
  tooLarge: string[];
}

export interface DeltaOptions {
  algo?: DeltaAlgo;
  /** Offered only when delta size ≤ maxRatio × the full object (default 0.5). */
  maxRatio?: number;
  /** Where the temporary copies and the delta are written (default the OS temp dir). */
  workDir?: string;
  /** Told after the offers for `to` were written (the object responder forgets its copy). */
  offersWritten?: (to: string) => void;
}

/**
 * Makes the delta between two objects once and publishes it to `sc_objects`: the delta under
 * the sha256 of its bytes, and its manifest in the offer list `deltas.<to>` that agents read.
 * Concurrent requests for one pair share a single computation.
 */
export class DeltaMaker {
  private readonly running = new Map<string, Promise<DeltaManifest | undefined>>();

  constructor(
    private readonly objects: Pick<ObjectStore, "has" | "openRead">,
    private readonly natsObjects: NatsObjectStore,
    private readonly options: DeltaOptions = {},
  ) {}

  /** The delta offered from `from` to `to`, made now if never tried; undefined when none fits. */
  ensure(from: string, to: string): Promise<DeltaManifest | undefined> {
    const key = `${from}>${to}`;
    const existing = this.running.get(key);
    if (existing) return existing;
    const made = this.make(from, to).finally(() => this.running.delete(key));
    this.running.set(key, made);
    return made;
  }

  async offers(to: string): Promise<DeltaOffers> {
    const empty = { to, offers: [], tooLarge: [] };
    const text = await this.natsObjects.getBlob(deltaOffersName(to)).catch(() => null);
    if (!text) return empty;
    try {
      const parsed = JSON.parse(new TextDecoder().decode(text)) as DeltaOffers;
      return {
        to,
        offers: (parsed.offers ?? []).filter(isDeltaManifest),
        tooLarge: parsed.tooLarge ?? [],
      };
    } catch {
      return empty;
    }
  }

  private async make(from: string, to: string): Promise<DeltaManifest | undefined> {
    const known = await this.offers(to);
    const offered = known.offers.find((o) => o.from === from);
    if (offered && (await this.natsObjects.info(offered.id))) return offered;
    if (known.tooLarge.includes(from)) return undefined;
    if (!(await this.objects.has(from)) || !(await this.objects.has(to))) return undefined;
    const dir = await mkdtemp(join(this.options.workDir ?? tmpdir(), "statecast-delta-"));
    try {
      const fromPath = join(dir, "from");
      const toPath = join(dir, "to");
      const deltaPath = join(dir, "delta");
      await pipeline(await this.objects.openRead(from), createWriteStream(fromPath));
      await pipeline(await this.objects.openRead(to), createWriteStream(toPath));
      const algo = this.options.algo ?? DEFAULT_DELTA_ALGO;
      const fromSize = (await stat(fromPath)).size;
      await makeDelta(algo, fromPath, toPath, deltaPath, fromSize);
      const size = (await stat(deltaPath)).size;
      const full = (await stat(toPath)).size;
      const latest = await this.offers(to);
      if (size > full * (this.options.maxRatio ?? DEFAULT_DELTA_MAX_RATIO)) {
        await this.publish({ ...latest, tooLarge: [...latest.tooLarge, from] });
        return undefined;
      }
      const id = await sha256File(deltaPath);
      if (!(await this.natsObjects.info(id))) {
        const body = Readable.toWeb(createReadStream(deltaPath)) as ReadableStream<Uint8Array>;
        await this.natsObjects.put({ name: id }, body);
      }
      const manifest: DeltaManifest = { id, from, to, algo, size };
      const offers = [...latest.offers.filter((o) => o.from !== from), manifest];
      await this.publish({ ...latest, offers });
      return manifest;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async publish(offers: DeltaOffers): Promise<void> {
    await this.natsObjects.putBlob(
      { name: deltaOffersName(offers.to) },
      new TextEncoder().encode(JSON.stringify(offers)),
    );
    this.options.offersWritten?.(offers.to);
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
