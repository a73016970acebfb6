import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Msg, NatsConnection } from "@nats-io/transport-node";
import {
  OBJECT_RETRY_AFTER_HEADER,
  OBJECT_SEQ_HEADER,
  OBJECT_STATUS_HEADER,
  objectReplyKind,
  objectRetryAfterMs,
} from "@statecast/contract";
import { type DeltaManifest, isDeltaManifest } from "@statecast/state";
import { ApplyError } from "../apply/apply-error.js";
import { type ObjectSource, type ObjectStream, ObjectUnavailable } from "../fetch/object-source.js";
import { replaceFile } from "../fs/atomic.js";

/** A place to resume: bytes already in the partial file, and the chunk stream sequence after them. */
interface ResumePoint {
  offset: number;
  nextSeq: number;
}

/**
 * Saved before each chunk is handed to the fetcher: the point before it (surely written)
 * and the point after it (written once the fetcher appended it). Whichever matches the
 * partial file's length wins, so a kill at any instant re-fetches at most a torn chunk (after
 * a power cut, what the disk kept of the file and the point decides: at worst from the start).
 */
interface ResumeRecord {
  nuid: string;
  points: ResumePoint[];
}

const START: ResumePoint = { offset: 0, nextSeq: 1 };

// Each request is idempotent: one lost in a reconnect is asked again soon rather than waited out.
const REQUEST_TIMEOUT_MS = 5_000;
const REQUEST_ATTEMPTS = 12;

/**
 * Objects from the gateway, asked on the device's own `sc.dev.<id>.object` (the device has no
 * JetStream access to `sc_objects`; the gateway serves only objects of revisions it was
 * targeted with). `{sha}` answers the size and the content's nuid; `{sha, seq}` the first chunk
 * at or after a stream sequence, so a cut download resumes where it stopped: the point is saved
 * next to the partial file after every chunk the fetcher has written. A `refused` or `missing`
 * answer is final (`ApplyError`); `unavailable` (the gateway could not read it now) is an
 * `ObjectUnavailable`, which the fetcher retries.
 */
export class NatsObjectSource implements ObjectSource {
  readonly name = "nats:sc.dev.object";
  /** Delta id → the object it rebuilds: the gateway serves a delta only for an object allowed. */
  private readonly deltaTargets = new Map<string, string>();
  /** Info asked for by `size`, used once by the `open` that follows (a retry asks afresh). */
  private readonly sized = new Map<string, { size: number; nuid: string }>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly deviceId: string,
    private readonly partialDir: string,
    /** The `slow download` fault (sim and tests): bytes per second, 0 = unlimited. */
    private readonly bytesPerSecond = 0,
  ) {}

  private async ask(body: ObjectRequest): Promise<Msg> {
    let reply: Msg | undefined;
    for (let attempt = 1; !reply; attempt++) {
      try {
        reply = await this.nc.request(`sc.dev.${this.deviceId}.object`, JSON.stringify(body), {
          timeout: REQUEST_TIMEOUT_MS,
        });
      } catch (error) {
        if (attempt >= REQUEST_ATTEMPTS) throw error;
        await sleep(Math.min(2_000, 100 * 2 ** attempt));
      }
    }
    const reason = reply.string();
    const kind = objectReplyKind(reply.headers?.get(OBJECT_STATUS_HEADER), reason);
    if (kind === "ok") return reply;
    const message = `object ${body.sha}: ${reason || "no answer"}`;
    // Not final: the fetcher asks again after a backoff (issue 16: a wave of thousands of devices).
    if (kind === "unavailable")
      throw new ObjectUnavailable(
        message,
        objectRetryAfterMs(reply.headers?.get(OBJECT_RETRY_AFTER_HEADER)),
      );
    throw new ApplyError(`object_${kind}`, message);
  }

  private async info(id: string): Promise<{ size: number; nuid: string }> {
    return (await this.ask(this.request(id))).json<{ size: number; nuid: string }>();
  }

  async size(id: string): Promise<number> {
    const info = await this.info(id);
    if (this.sized.size >= 1_000) this.sized.clear();
    this.sized.set(id, info);
    return info.size;
  }

  /** The deltas the gateway offers for `id` (`{sha, deltas: true}`; none from older gateways). */
  async deltaOffers(id: string): Promise<DeltaManifest[]> {
    const parsed = (await this.ask({ sha: id, deltas: true })).json<{ offers?: unknown[] }>();
    const offers = (parsed.offers ?? []).filter(isDeltaManifest);
    for (const offer of offers) this.deltaTargets.set(offer.id, offer.to);
    return offers;
  }

  /** A request for `sha`, naming the object it rebuilds when `sha` is an offered delta. */
  private request(sha: string, seq?: number): ObjectRequest {
    const forObject = this.deltaTargets.get(sha);
    return {
      sha,
      ...(seq !== undefined ? { seq } : {}),
      ...(forObject ? { for: forObject } : {}),
    };
  }

  private resumePath(id: string): string {
    return join(this.partialDir, `${id}.resume.json`);
  }

  async open(id: string, offset: number, signal: AbortSignal): Promise<ObjectStream> {
    const info = this.sized.get(id) ?? (await this.info(id));
    this.sized.delete(id);
    // Nothing fetched yet: no point to look for (one failed open fewer per object). Any point a
    // cut download left is of no use at offset 0, and the next point saved replaces it.
    if (offset === 0)
      return { from: 0, chunks: this.chunks(id, info.nuid, START, info.size, signal, false) };
    let kept = true;
    const saved = await readFile(this.resumePath(id), "utf8")
      .then((text) => JSON.parse(text) as ResumeRecord)
      .catch((error: NodeJS.ErrnoException) => {
        kept = error.code !== "ENOENT";
        return undefined;
      });
    const usable = saved?.nuid === info.nuid ? saved.points.filter((p) => p.offset <= offset) : [];
    const point = usable.sort((a, b) => b.offset - a.offset)[0] ?? START;
    const chunks = this.chunks(id, info.nuid, point, info.size, signal, kept);
    return { from: point.offset, chunks };
  }

  private async *chunks(
    id: string,
    nuid: string,
    point: ResumePoint,
    size: number,
    signal: AbortSignal,
    /** Whether a resume file may be there (one was read, or reading failed otherwise than ENOENT). */
    kept: boolean,
  ) {
    let { offset, nextSeq } = point;
    let pointFile = kept;
    while (offset < size) {
      if (signal.aborted) throw new ApplyError("superseded", `download of ${id} aborted`);
      const reply = await this.ask(this.request(id, Math.max(1, nextSeq)));
      const seq = Number(reply.headers?.get(OBJECT_SEQ_HEADER));
      if (reply.data.length === 0 || !Number.isSafeInteger(seq))
        throw new ApplyError("object_missing", `object ${id}: the gateway sent an empty chunk`);
      const after = offset + reply.data.length;
      const record: ResumeRecord = {
        nuid,
        points: [
          { offset, nextSeq: seq },
          { offset: after, nextSeq: seq + 1 },
        ],
      };
      // Not fsynced (two fsyncs a chunk were most of a download's time on a busy disk): the
      // partial file is not synced per chunk either, and `open` takes only a point at or below
      // its length, so a point lost or stale after a power cut only means fetching more again.
      // None after the last chunk: a cut there fetches that chunk again (a small object's only
      // chunk costs no file written, renamed and removed per device).
      if (after < size) {
        await replaceFile(this.resumePath(id), JSON.stringify(record));
        pointFile = true;
      }
      yield reply.data;
      offset = after;
      nextSeq = seq + 1;
      if (this.bytesPerSecond > 0) await sleep((reply.data.length / this.bytesPerSecond) * 1000);
    }
    if (pointFile) await rm(this.resumePath(id), { force: true });
  }
}

/** `sc.dev.<id>.object` request: `for` names the object a delta `sha` rebuilds. */
interface ObjectRequest {
  sha: string;
  seq?: number;
  deltas?: true;
  for?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
