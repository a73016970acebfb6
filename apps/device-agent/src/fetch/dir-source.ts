import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type DeltaManifest, deltaOffersName, isDeltaManifest } from "@statecast/state";
import { ApplyError } from "../apply/apply-error.js";
import type { ObjectSource, ObjectStream } from "./object-source.js";

const SHA256 = /^[0-9a-f]{64}$/;

/** Objects laid out as `<dir>/<sha256>` (an unpacked bundle, a USB stick, a staging dir). */
export class DirObjectSource implements ObjectSource {
  readonly name: string;

  constructor(
    readonly dir: string,
    /** Bytes per second, to simulate a slow link (the `slow download` fault); 0 = unlimited. */
    private readonly bytesPerSecond = 0,
  ) {
    this.name = `dir:${dir}`;
  }

  private path(id: string): string {
    if (!SHA256.test(id)) throw new Error(`object id ${JSON.stringify(id)} is not a sha256`);
    return join(this.dir, id);
  }

  async size(id: string): Promise<number> {
    try {
      return (await stat(this.path(id))).size;
    } catch (error) {
      // Final, as from sc_objects: retrying a directory lookup cannot make the object appear.
      throw new ApplyError("object_missing", `object ${id} is not in ${this.dir}`, {
        cause: error,
      });
    }
  }

  /** `<dir>/deltas.<id>` as `statecast export --delta-from` writes it; none when absent. */
  async deltaOffers(id: string): Promise<DeltaManifest[]> {
    this.path(id);
    const text = await readFile(join(this.dir, deltaOffersName(id)), "utf8").catch(() => null);
    if (text === null) return [];
    const parsed = JSON.parse(text) as { offers?: unknown[] };
    return (parsed.offers ?? []).filter(isDeltaManifest);
  }

  async open(id: string, offset: number, signal: AbortSignal): Promise<ObjectStream> {
    return { from: offset, chunks: this.read(id, offset, signal) };
  }

  private async *read(id: string, offset: number, signal: AbortSignal): AsyncIterable<Uint8Array> {
    const stream = createReadStream(this.path(id), {
      start: offset,
      highWaterMark: 64 * 1024,
      signal,
    });
    for await (const chunk of stream) {
      yield chunk as Buffer;
      if (this.bytesPerSecond > 0) {
        await new Promise((r) =>
          setTimeout(r, ((chunk as Buffer).length / this.bytesPerSecond) * 1000),
        );
      }
    }
  }
}
