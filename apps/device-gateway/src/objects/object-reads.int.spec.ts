import { createHash, randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { type ObjectStore, Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startTestNats, type TestNats } from "@statecast/testing";
import type { ObjectAccess } from "./object-access.js";
import { ObjectResponder } from "./object-responder.js";
import { ReadGate, type ReadGateOptions } from "./read-gate.js";

const allowAll = { refusal: async () => undefined } as unknown as ObjectAccess;

/**
 * The real `sc_objects` reads, each held `delayMs` first (a loaded JetStream), counted: how many
 * run at once at most, and a failure (`fail`) thrown in place of the next reads asked.
 */
function countedReads(jsm: JetStreamManager, objects: ObjectStore, delayMs: number) {
  const reads = { active: 0, peak: 0, total: 0, fail: 0 };
  const track = async <T>(read: () => Promise<T>): Promise<T> => {
    reads.active++;
    reads.total++;
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
        track(() => jsm.streams.getMessage(...args)),
    },
  } as unknown as JetStreamManager;
  const countedObjects = Object.assign(Object.create(objects) as ObjectStore, {
    info: (name: string) => track(() => objects.info(name)),
    getBlob: (name: string) => track(() => objects.getBlob(name)),
  });
  return { reads, jsm: countedJsm, objects: countedObjects };
}

describe("sc.dev.<id>.object under load: a bounded, fair queue of sc_objects reads", () => {
  let nats: TestNats;
  let gatewayNc: NatsConnection;
  let devices: NatsConnection;
  let responder: ObjectResponder | undefined;
  const content = randomBytes(300_000); // three chunks
  const sha = createHash("sha256").update(content).digest("hex");

  beforeAll(async () => {
    nats = await startTestNats();
    gatewayNc = await connect({ servers: nats.url });
    devices = await connect({ servers: nats.url });
    const objects = await new Objm(gatewayNc).create("sc_objects");
    await objects.putBlob({ name: sha }, content);
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

  async function startResponder(options: ReadGateOptions, delayMs: number) {
    const objects = await new Objm(gatewayNc).open("sc_objects");
    const counted = countedReads(await jetstreamManager(gatewayNc), objects, delayMs);
    responder = new ObjectResponder(
      gatewayNc,
      counted.jsm,
      counted.objects,
      allowAll,
      new ReadGate(options),
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
      Array.from({ length: 60 }, (_, i) =>
        ask(`dev-${i}`, i % 3 === 0 ? { sha } : { sha, seq: 1 + (i % 3) }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => "ok"));
    for (const [i, answer] of answers.entries())
      if (i % 3 === 0) expect(answer.reply.json()).toMatchObject({ size: content.length });
      else expect(answer.reply.data.length).toBeGreaterThan(0);
    expect(reads.peak).toBeLessThanOrEqual(4);
    expect(reads.peak).toBeGreaterThanOrEqual(2); // the requests did overlap
    expect(gate.waits).toBeGreaterThan(0);
    expect([gate.active, gate.queued, gate.timeouts]).toEqual([0, 0, 0]);
  });

  it("answers 'unavailable' with a retry hint to a request that waited past the limit", async () => {
    const { reads, gate } = await startResponder({ limit: 1, maxWaitMs: 100 }, 400);
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => ask(`dev-${i}`, { sha, seq: 1 })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual(["ok", "unavailable", "unavailable", "unavailable", "unavailable"]);
    for (const answer of answers.filter((a) => a.status === "unavailable")) {
      expect(answer.retryAfter).toBe("100");
      expect(answer.reply.string()).toMatch(/try again/);
    }
    expect(gate.timeouts).toBe(4);
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
});
