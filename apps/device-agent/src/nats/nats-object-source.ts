import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { ObjectStore } from "@nats-io/obj";
import { OBJECTS_BUCKET, OBJECTS_STREAM } from "@statecast/nats-auth";
import { type DeltaManifest, deltaOffersName, isDeltaManifest } from "@statecast/state";
import { ApplyError } from "../apply/apply-error.js";
import type { ObjectSource, ObjectStream } from "../fetch/object-source.js";
import { writeJsonAtomic } from "../fs/atomic.js";

/** A place to resume: bytes already in the partial file, and the chunk stream sequence after them. */
interface ResumePoint {
  offset: number;
  nextSeq: number;
}

/**
 * Saved before each chunk is handed to the fetcher: the point before it (surely written)
 * and the point after it (written once the fetcher appended it). Whichever matches the
 * partial file's length wins, so a kill at any instant re-fetches at most a torn chunk.
 */
interface ResumeRecord {
  nuid: string;
  points: ResumePoint[];
}

/**
 * Objects from the gateway's `sc_objects` Object Store (name = sha256). Chunks are read
 * through an ordered push consumer on the object's chunk subject, as nats.js does, but
 * starting at a stream sequence so a cut download resumes where it stopped: the point
 * is saved next to the partial file after every chunk the fetcher has written.
 */
export class NatsObjectSource implements ObjectSource {
  readonly name = `nats:${OBJECTS_BUCKET}`;

  constructor(
    private readonly js: JetStreamClient,
    private readonly objects: ObjectStore,
    private readonly partialDir: string,
    /** The `slow download` fault (sim and tests): bytes per second, 0 = unlimited. */
    private readonly bytesPerSecond = 0,
  ) {}

  private async info(id: string) {
    const info = await this.objects.info(id);
    if (!info || info.deleted)
      throw new ApplyError("object_missing", `object ${id} is not in ${OBJECTS_BUCKET}`);
    return info;
  }

  async size(id: string): Promise<number> {
    return (await this.info(id)).size;
  }

  /** The gateway's offer list `deltas.<id>` (written before the target; absent for old servers). */
  async deltaOffers(id: string): Promise<DeltaManifest[]> {
    const blob = await this.objects.getBlob(deltaOffersName(id));
    if (!blob) return [];
    const parsed = JSON.parse(new TextDecoder().decode(blob)) as { offers?: unknown[] };
    return (parsed.offers ?? []).filter(isDeltaManifest);
  }

  private resumePath(id: string): string {
    return join(this.partialDir, `${id}.resume.json`);
  }

  async open(id: string, offset: number, signal: AbortSignal): Promise<ObjectStream> {
    const info = await this.info(id);
    const saved = await readFile(this.resumePath(id), "utf8")
      .then((text) => JSON.parse(text) as ResumeRecord)
      .catch(() => undefined);
    const usable = saved?.nuid === info.nuid ? saved.points.filter((p) => p.offset <= offset) : [];
    const point = usable.sort((a, b) => b.offset - a.offset)[0] ?? { offset: 0, nextSeq: 0 };
    return { from: point.offset, chunks: this.chunks(id, info.nuid, point, info.size, signal) };
  }

  private async *chunks(
    id: string,
    nuid: string,
    point: ResumePoint,
    size: number,
    signal: AbortSignal,
  ) {
    let { offset } = point;
    if (offset >= size) return;
    const consumer = await this.js.consumers.getPushConsumer(OBJECTS_STREAM, {
      filter_subject: `$O.${OBJECTS_BUCKET}.C.${nuid}`,
      ...(point.nextSeq > 0
        ? { deliver_policy: "by_start_sequence", opt_start_seq: point.nextSeq }
        : {}),
      idle_heartbeat: 5_000_000_000,
      flow_control: true,
    } as never);
    const messages = await consumer.consume();
    const stop = () => messages.stop();
    signal.addEventListener("abort", stop, { once: true });
    try {
      for await (const message of messages) {
        if (signal.aborted) throw new ApplyError("superseded", `download of ${id} aborted`);
        if (message.data.length > 0) {
          const after = offset + message.data.length;
          const record: ResumeRecord = {
            nuid,
            points: [
              { offset, nextSeq: message.seq },
              { offset: after, nextSeq: message.seq + 1 },
            ],
          };
          await writeJsonAtomic(this.resumePath(id), record);
          yield message.data;
          offset = after;
          if (this.bytesPerSecond > 0)
            await sleep((message.data.length / this.bytesPerSecond) * 1000);
        }
        if (message.info.pending === 0 || offset >= size) break;
      }
    } finally {
      signal.removeEventListener("abort", stop);
      stop();
    }
    if (offset >= size) await rm(this.resumePath(id), { force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
