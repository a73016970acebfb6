import type { JetStreamManager } from "@nats-io/jetstream";
import type { ObjectStore } from "@nats-io/obj";
import { headers, type Msg, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { Logger } from "@nestjs/common";
import {
  isDeviceId,
  OBJECT_RETRY_AFTER_HEADER,
  OBJECT_SEQ_HEADER,
  OBJECT_STATUS_HEADER,
  type ObjectStatus,
} from "@statecast/contract";
import {
  LEGACY_OBJECT_REFUSAL,
  LEGACY_OBJECT_REFUSAL_SUBJECT,
  OBJECTS_BUCKET,
} from "@statecast/nats-auth";
import { type DeltaManifest, deltaOffersName, isDeltaManifest } from "@statecast/state";
import { type Chunk, ChunkCache } from "./chunk-cache.js";
import { objectChunk } from "./nats-object-source.js";
import type { ObjectAccess } from "./object-access.js";
import { ReadGate, ReadQueueTimeout } from "./read-gate.js";
import { Remembered } from "./remembered.js";
import { ThrottledLog } from "./throttled-log.js";

/** Replicas share object requests through this queue group. */
export const OBJECTS_QUEUE = "sc-objects";
/** How long a device is told to wait after a read failed (a queue timeout: the queue's wait). */
const READ_FAILED_RETRY_MS = 1_000;

const SHA = /^[0-9a-f]{64}$/;
/** What the object store publishes on every put or delete: the object's info, by its name. */
const OBJECT_CHANGES = `$O.${OBJECTS_BUCKET}.M.*`;
const OFFERS_PREFIX = deltaOffersName("");
/**
 * How long an object's info is remembered. Ids are content hashes: only a delete or a re-put
 * (new nuid) changes it, and a chunk asked under a stale nuid is looked up again (see `read`).
 * Every put or delete is also heard on the store's metadata subject and forgets the name at
 * once (`changed`), so this bound matters only when that notice is missed or raced the store;
 * it is also how long a deleted or re-put object's chunks may then still be served from the
 * chunk cache, whose keys name the nuid the remembered info gave. 30 s (it was 5): each expiry is
 * a JetStream read that every request of that moment shares, so one read timing out under a
 * 6,000-device wave answered all of them `unavailable` (11,363 such answers in one 10,000-device
 * run, issue 16).
 */
const REMEMBER_MS = 30_000;
/**
 * How long delta offers are remembered (a wave asks them once per object per device). A delta
 * this gateway makes is offered at once (`forgetOffers`); one another replica made, once its
 * offers' put is heard (`changed`), at the latest after this.
 */
const OFFERS_REMEMBER_MS = 2_000;

type Info = Awaited<ReturnType<ObjectStore["info"]>>;

/**
 * Serves objects to devices on `sc.dev.<deviceId>.object` (request/reply). Devices have no
 * JetStream access to `sc_objects` (nats-server 2.9 cannot limit a message get to some
 * sequences), so the gateway reads for them after `ObjectAccess` allowed the device the object;
 * the subject names the device, and only that device may publish on it.
 *
 * - `{sha}` → JSON `{size, nuid}` (the nuid names the object's content: resume points keep it).
 * - `{sha, deltas: true}` → JSON `{offers}`: the deltas that rebuild `sha` (issue 21).
 * - `{sha, for}` (with or without `seq`): `sha` is a delta offered for object `for`; it is
 *   served when `for` is allowed to the device and its offers name `sha`.
 * - `{sha, seq}` → the first chunk of the object at or after stream sequence `seq`, its
 *   sequence in header `Sc-Seq`; the device asks for `Sc-Seq + 1` next, so a cut download
 *   resumes at a chunk.
 * Every reply carries `Sc-Status` (`@statecast/contract` object-reply): `ok`, `refused` or
 * `missing` (final; a reason as the body), or `unavailable` when the object could not be read now:
 * its request waited past the read gate's limit, or a read of `sc_objects` failed (a JetStream
 * timeout under load). Reads go through a fair `ReadGate`, so a wave of devices queues here;
 * a wave asks the same objects, so info and offers are remembered briefly and chunks are kept in
 * a `ChunkCache`: requests answered from memory, or sharing a read already running, never queue.
 */
export class ObjectResponder {
  private readonly logger = new Logger("Objects");
  private subscription: Subscription | undefined;
  private legacy: Subscription | undefined;
  private changes: Subscription | undefined;
  /** A wave of devices asks for the same few objects: one JetStream lookup serves them all. */
  readonly infos = new Remembered<Info>(REMEMBER_MS, (info) => !!info && !info.deleted);
  readonly offered = new Remembered<DeltaManifest[]>(OFFERS_REMEMBER_MS);
  /** Requests answered `unavailable` because a read failed. */
  readFailures = 0;
  /** Requests answered `unavailable` because their read waited past the gate's limit. */
  queueTimeouts = 0;
  private readonly queueTimeoutLog = new ThrottledLog();
  private readonly readFailureLog = new ThrottledLog();

  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly objects: ObjectStore,
    private readonly access: ObjectAccess,
    readonly gate = new ReadGate(),
    readonly chunks = new ChunkCache(),
  ) {}

  start(): void {
    // Every replica hears every change (no queue group): each forgets what it remembered.
    this.changes = this.nc.subscribe(OBJECT_CHANGES, {
      callback: (_error, msg) => this.changed(msg),
    });
    this.subscription = this.nc.subscribe("sc.dev.*.object", {
      queue: OBJECTS_QUEUE,
      callback: (_error, msg) => {
        void this.answer(msg).catch((error: Error) => this.unavailable(msg, error));
      },
    });
    // A previous-release agent's own read of sc_objects (while legacy object read is off).
    this.legacy = this.nc.subscribe(LEGACY_OBJECT_REFUSAL_SUBJECT, {
      queue: OBJECTS_QUEUE,
      callback: (_error, msg) => {
        this.logger.warn("refused an object read of a previous-release agent: update its agent");
        msg.respond(LEGACY_OBJECT_REFUSAL);
      },
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.drain();
    await this.legacy?.drain();
    await this.changes?.drain();
  }

  /** An object was put or deleted: its info (or, for an offers list, the offers) is read again. */
  private changed(msg: Msg): void {
    let name: unknown;
    try {
      name = msg.json<{ name?: unknown }>().name;
    } catch {
      return;
    }
    if (typeof name !== "string") return;
    if (name.startsWith(OFFERS_PREFIX)) this.forgetOffers(name.slice(OFFERS_PREFIX.length));
    else this.infos.forget(name);
  }

  /** The answer to a request that could not be read now: the device asks again later. */
  private unavailable(msg: Msg, error: Error): void {
    const queued = error instanceof ReadQueueTimeout;
    if (queued) {
      this.queueTimeouts++;
      this.queueTimeoutLog.note((count) =>
        this.logger.warn(`${count} object request(s) answered unavailable: ${error.message}`),
      );
    } else {
      this.readFailures++;
      this.readFailureLog.note((count) =>
        this.logger.error(
          `${count} object request(s) answered unavailable; last on ${msg.subject}: ${error.message}`,
        ),
      );
    }
    const retryAfterMs = queued ? this.gate.options.maxWaitMs : READ_FAILED_RETRY_MS;
    reply(
      msg,
      "unavailable",
      `the gateway could not read the object now (${error.message}); try again`,
      undefined,
      retryAfterMs,
    );
  }

  /**
   * Called when this gateway's delta maker wrote the offers for `to`: the next device asking is
   * offered the new delta at once, not after `OFFERS_REMEMBER_MS`.
   */
  forgetOffers(to: string): void {
    this.offered.forget(to);
  }

  /**
   * The delta offers the delta maker stored for object `to` (none when absent or not JSON); a
   * failed read throws (answered `unavailable`).
   */
  private offers(to: string): Promise<DeltaManifest[]> {
    return this.offered.get(to, () => this.gate.run(() => this.readOffers(to)));
  }

  private async readOffers(to: string): Promise<DeltaManifest[]> {
    const blob = await this.objects.getBlob(deltaOffersName(to));
    if (!blob) return [];
    try {
      const parsed = JSON.parse(new TextDecoder().decode(blob)) as { offers?: unknown[] };
      return (parsed.offers ?? []).filter(isDeltaManifest);
    } catch {
      return [];
    }
  }

  private async answer(msg: Msg): Promise<void> {
    const deviceId = msg.subject.split(".")[2] ?? "";
    const request = parse(msg.string());
    if (!isDeviceId(deviceId) || !request)
      return reply(
        msg,
        "refused",
        "expected {sha, seq?, for?, deltas?} with lowercase hex sha256s",
      );
    const allowedObject = request.for ?? request.sha;
    const refusal = await this.access.refusal(deviceId, allowedObject);
    if (refusal) {
      this.logger.warn(`object ${allowedObject} refused to ${deviceId}: ${refusal}`);
      return reply(msg, "refused", refusal);
    }
    await this.read(msg, request);
  }

  /** The object's info, remembered; a lookup goes through the gate. */
  private info(sha: string): Promise<Info> {
    return this.infos.get(sha, () => this.gate.run(() => this.objects.info(sha)));
  }

  /** The reads of `sc_objects` a request needs, each shared and remembered where it can be. */
  private async read(msg: Msg, request: ObjectRequest): Promise<void> {
    if (request.deltas)
      return reply(msg, "ok", JSON.stringify({ offers: await this.offers(request.sha) }));
    if (request.for && !(await this.offers(request.for)).some((o) => o.id === request.sha))
      return reply(
        msg,
        "refused",
        `object ${request.sha} is not a delta offered for ${request.for}`,
      );
    let info = await this.info(request.sha);
    if (!info || info.deleted)
      return reply(msg, "missing", `object ${request.sha} is not in ${OBJECTS_BUCKET}`);
    if (request.seq === undefined)
      return reply(msg, "ok", JSON.stringify({ size: info.size, nuid: info.nuid }));
    let chunk = await this.chunk(info.nuid, request.seq);
    if (!chunk) {
      // Remembered info may be stale (the object deleted or put again): ask JetStream itself.
      this.infos.forget(request.sha);
      const fresh = await this.info(request.sha);
      if (!fresh || fresh.deleted || fresh.nuid !== info.nuid) this.chunks.forgetContent(info.nuid);
      if (fresh && !fresh.deleted && fresh.nuid !== info.nuid) {
        info = fresh;
        chunk = await this.chunk(info.nuid, request.seq);
      }
    }
    if (!chunk)
      return reply(msg, "missing", `object ${request.sha} has no chunk after ${request.seq}`);
    reply(msg, "ok", chunk.data, chunk.seq);
  }

  /**
   * The first chunk of content `nuid` at or after stream sequence `seq` (null when none): from
   * the cache, or read through the gate; a failed read throws, never taken for a missing chunk.
   */
  private chunk(nuid: string, seq: number): Promise<Chunk | null> {
    return this.chunks.get(nuid, seq, async () => {
      const stored = await this.gate.run(() => objectChunk(this.jsm, nuid, seq));
      return stored && { seq: stored.seq, data: stored.data };
    });
  }
}

interface ObjectRequest {
  sha: string;
  seq?: number;
  for?: string;
  deltas?: boolean;
}

function parse(text: string): ObjectRequest | undefined {
  try {
    const body = JSON.parse(text) as {
      sha?: unknown;
      seq?: unknown;
      for?: unknown;
      deltas?: unknown;
    };
    if (typeof body.sha !== "string" || !SHA.test(body.sha)) return undefined;
    const request: ObjectRequest = { sha: body.sha };
    if (body.for !== undefined) {
      if (typeof body.for !== "string" || !SHA.test(body.for)) return undefined;
      request.for = body.for;
    }
    if (body.deltas !== undefined) {
      if (body.deltas !== true) return undefined;
      request.deltas = true;
    }
    if (body.seq === undefined) return request;
    if (!Number.isSafeInteger(body.seq) || (body.seq as number) < 1) return undefined;
    return { ...request, seq: body.seq as number };
  } catch {
    return undefined;
  }
}

function reply(
  msg: Msg,
  status: ObjectStatus,
  body: string | Uint8Array,
  seq?: number,
  retryAfterMs?: number,
): void {
  const h = headers();
  h.set(OBJECT_STATUS_HEADER, status);
  if (seq !== undefined) h.set(OBJECT_SEQ_HEADER, String(seq));
  if (retryAfterMs !== undefined) h.set(OBJECT_RETRY_AFTER_HEADER, String(retryAfterMs));
  msg.respond(body, { headers: h });
}
