import { createHash, randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { type ObjectStore, Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { deltaOffersName } from "@statecast/state";
import { startTestNats, type TestNats } from "@statecast/testing";
import { ChunkCache } from "./chunk-cache.js";
import type { ObjectAccess } from "./object-access.js";
import { ObjectResponder } from "./object-responder.js";
import { ReadGate, type ReadGateOptions } from "./read-gate.js";

const allowAll = { refusal: async () => undefined } as unknown as ObjectAccess;

/**
 * The real `sc_objects` reads, each held `delayMs` first (a loaded JetStream), counted: how many
 * run at once at most, how many of each kind, and a failure (`fail`) thrown in place of the next
 * reads asked.
 */
function countedReads(jsm: JetStreamManager, objects: ObjectStore, delayMs: number) {
  const reads = { active: 0, peak: 0, total: 0, fail: 0, chunks: 0, infos: 0, offers: 0 };
  const track = async <T>(kind: "chunks" | "infos" | "offers", read: () => Promise<T>) => {
    reads.active++;
    reads.total++;
    reads[kind]++;
    reads.peak = Math.max(reads.peak, reads.active);
    try {
      await sleep(delayMs);
      if (reads.fail > 0 && reads.fail--) throw new Error("timeout"); // as a JetStream API request
      return await read();
    } finally {
      reads.active--;
    }
  };
  const countedJsm = {
    streams: {
      getMessage: (...args: Parameters<JetStreamManager["streams"]["getMessage"]>) =>
        track("chunks", () => jsm.streams.getMessage(...args)),
    },
  } as unknown as JetStreamManager;
  const countedObjects = Object.assign(Object.create(objects) as ObjectStore, {
    info: (name: string) => track("infos", () => objects.info(name)),
    getBlob: (name: string) => track("offers", () => objects.getBlob(name)),
  });
  return { reads, jsm: countedJsm, objects: countedObjects };
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("sc.dev.<id>.object under load: a bounded, fair queue of sc_objects reads", () => {
  let nats: TestNats;
  let gatewayNc: NatsConnection;
  let devices: NatsConnection;
  let store: ObjectStore;
  let responder: ObjectResponder | undefined;
  const content = randomBytes(300_000); // three chunks
  const sha = sha256(content);
  /** Small objects, one read each: requests that cannot share a read or a remembered answer. */
  const many = Array.from({ length: 30 }, () => randomBytes(1_000));

  beforeAll(async () => {
    nats = await startTestNats();
    gatewayNc = await connect({ servers: nats.url });
    devices = await connect({ servers: nats.url });
    store = await new Objm(gatewayNc).create("sc_objects");
    await store.putBlob({ name: sha }, content);
    for (const bytes of many) await store.putBlob({ name: sha256(bytes) }, bytes);
  });
  afterEach(async () => {
    await responder?.stop();
    responder = undefined;
  });
  afterAll(async () => {
    await devices?.close();
    await gatewayNc?.close();
    await nats?.dispose();
  });

  async function startResponder(options: ReadGateOptions, delayMs: number, cacheBytes?: number) {
    const objects = await new Objm(gatewayNc).open("sc_objects");
    const counted = countedReads(await jetstreamManager(gatewayNc), objects, delayMs);
    responder = new ObjectResponder(
      gatewayNc,
      counted.jsm,
      counted.objects,
      allowAll,
      new ReadGate(options),
      new ChunkCache(cacheBytes),
    );
    responder.start();
    await gatewayNc.flush();
    return { reads: counted.reads, gate: responder.gate };
  }

  const ask = async (deviceId: string, body: object) => {
    const reply = await devices.request(`sc.dev.${deviceId}.object`, JSON.stringify(body), {
      timeout: 10_000,
    });
    return {
      status: reply.headers?.get("Sc-Status"),
      retryAfter: reply.headers?.get("Sc-Retry-After-Ms"),
      reply,
    };
  };

  it("never runs more than `limit` reads at once, and answers every request", async () => {
    const { reads, gate } = await startResponder({ limit: 4, maxWaitMs: 10_000 }, 20);
    const answers = await Promise.all(
      many.map((bytes, i) =>
        ask(`dev-${i}`, i % 2 === 0 ? { sha: sha256(bytes) } : { sha: sha256(bytes), seq: 1 }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => "ok"));
    for (const [i, answer] of answers.entries())
      if (i % 2 === 0) expect(answer.reply.json()).toMatchObject({ size: 1_000 });
      else expect(sha256(answer.reply.data)).toBe(sha256(many[i]!));
    expect(reads.total).toBe(45); // an info each, and a chunk for half of them
    expect(reads.peak).toBeLessThanOrEqual(4);
    expect(reads.peak).toBeGreaterThanOrEqual(2); // the requests did overlap
    expect(gate.waits).toBeGreaterThan(0);
    expect([gate.active, gate.queued, gate.timeouts]).toEqual([0, 0, 0]);
  });

  it("answers 'unavailable' with a retry hint to a request that waited past the limit", async () => {
    const { reads, gate } = await startResponder({ limit: 1, maxWaitMs: 100 }, 400);
    const answers = await Promise.all(
      many.slice(0, 5).map((bytes, i) => ask(`dev-${i}`, { sha: sha256(bytes), seq: 1 })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual(["ok", "unavailable", "unavailable", "unavailable", "unavailable"]);
    for (const answer of answers.filter((a) => a.status === "unavailable")) {
      expect(answer.retryAfter).toBe("100");
      expect(answer.reply.string()).toMatch(/try again/);
    }
    expect(gate.timeouts).toBe(4);
    expect(responder?.queueTimeouts).toBe(4);
    expect(reads.peak).toBe(1);
  });

  it("answers 'unavailable' (not 'missing') when a read of sc_objects fails", async () => {
    const { reads } = await startResponder({ limit: 4, maxWaitMs: 1_000 }, 0);
    reads.fail = 1;
    const chunk = await ask("dev-f", { sha, seq: 1 });
    expect(chunk.status).toBe("unavailable");
    expect(chunk.retryAfter).toBe("1000");
    expect(responder?.readFailures).toBe(1);
    expect((await ask("dev-f", { sha, seq: 1 })).status).toBe("ok");
  });

  it("still answers 'missing' for an object that is not in sc_objects", async () => {
    await startResponder({ limit: 4, maxWaitMs: 1_000 }, 0);
    const missing = await ask("dev-m", { sha: "0".repeat(64), seq: 1 });
    expect(missing.status).toBe("missing");
    expect(missing.reply.string()).toMatch(/is not in sc_objects/);
  });

  it("answers a wave of devices asking for the same chunk with one read of sc_objects", async () => {
    const { reads, gate } = await startResponder({ limit: 2, maxWaitMs: 2_000 }, 50);
    const jsm = await jetstreamManager(gatewayNc);
    const info = await store.info(sha);
    const first = await jsm.streams.getMessage("OBJ_sc_objects", {
      seq: 1,
      next_by_subj: `$O.sc_objects.C.${info!.nuid}`,
    } as never);
    const wave = () =>
      Promise.all(Array.from({ length: 300 }, (_, i) => ask(`dev-w${i}`, { sha, seq: 1 })));
    const answers = [...(await wave()), ...(await wave())];
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => "ok"));
    // Compared by hash: a deep equality of 600 × 128 KiB takes minutes.
    const seqs = new Set(answers.map((a) => a.reply.headers?.get("Sc-Seq")));
    const bytes = new Set(answers.map((a) => sha256(a.reply.data)));
    expect([...seqs]).toEqual([String(first!.seq)]);
    expect([...bytes]).toEqual([sha256(first!.data)]);
    expect([reads.infos, reads.chunks]).toEqual([1, 1]);
    const chunks = responder!.chunks;
    expect([chunks.misses, chunks.shared + chunks.hits]).toEqual([1, 599]);
    expect(chunks.hits).toBeGreaterThanOrEqual(300); // the second wave, from memory
    expect(chunks.bytes).toBe(first!.data.length);
    expect(gate.waits).toBe(0); // requests answered from memory never queue
  });

  it("reads a wave's delta offers once, and offers a delta written since at once", async () => {
    const { reads } = await startResponder({ limit: 4, maxWaitMs: 2_000 }, 20);
    const to = sha256(many[0]!);
    const offersOf = async (deviceId: string) =>
      (await ask(deviceId, { sha: to, deltas: true })).reply.json<{ offers: { id: string }[] }>()
        .offers;
    const before = await Promise.all(Array.from({ length: 100 }, (_, i) => offersOf(`dev-o${i}`)));
    expect(before).toEqual(before.map(() => []));
    expect(reads.offers).toBe(1);
    const delta = many[1]!;
    const manifest = { id: sha256(delta), from: sha256(many[2]!), to, algo: "zstd", size: 1_000 };
    // Written by another replica's delta maker: heard on the store's metadata subject.
    await store.putBlob(
      { name: deltaOffersName(to) },
      new TextEncoder().encode(JSON.stringify({ to, offers: [manifest], tooLarge: [] })),
    );
    expect((await offersOf("dev-o0")).map((o) => o.id)).toEqual([manifest.id]);
    expect((await offersOf("dev-o1")).map((o) => o.id)).toEqual([manifest.id]);
    expect(reads.offers).toBe(2);
    const asDelta = await ask("dev-o1", { sha: manifest.id, for: to, seq: 1 });
    expect(asDelta.status).toBe("ok");
    expect(sha256(asDelta.reply.data)).toBe(manifest.id);
    expect(reads.offers).toBe(2);
    // What this gateway's own delta maker calls after writing offers: read again at once.
    responder!.forgetOffers(to);
    await offersOf("dev-o2");
    expect(reads.offers).toBe(3);
    await store.delete(deltaOffersName(to));
  });

  it("serves an object put again its new content at once, and a deleted one no more", async () => {
    await startResponder({ limit: 4, maxWaitMs: 2_000 }, 0);
    const name = "e".repeat(64);
    const [a, b] = [randomBytes(200_000), randomBytes(200_000)];
    const chunkOf = (content: Uint8Array) => sha256(content.subarray(0, 128 * 1024));
    const firstChunk = async () => (await ask("dev-r", { sha: name, seq: 1 })).reply;
    await store.putBlob({ name }, a);
    expect(sha256((await firstChunk()).data)).toBe(chunkOf(a));
    expect(sha256((await firstChunk()).data)).toBe(chunkOf(a));
    expect([responder!.chunks.misses, responder!.chunks.hits]).toEqual([1, 1]);
    await store.putBlob({ name }, b); // a new nuid, while a's first chunk is held
    const ofB = await firstChunk();
    expect(sha256(ofB.data)).toBe(chunkOf(b));
    expect(Number(ofB.headers?.get("Sc-Seq"))).toBeGreaterThan(1);
    expect((await ask("dev-r", { sha: name })).reply.json()).toEqual({
      size: b.length,
      nuid: (await store.info(name))!.nuid,
    });
    await store.delete(name); // while b's first chunk is held
    const deleted = await ask("dev-r", { sha: name, seq: 1 });
    expect(deleted.status).toBe("missing");
  });
});
