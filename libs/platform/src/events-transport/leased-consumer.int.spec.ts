import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { Controller, type INestMicroservice, Module, type Type } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { Payload } from "@nestjs/microservices";
import { partitionOf } from "@statecast/events";
import {
  createTestDatabase,
  startTestNats,
  type TestDatabase,
  type TestNats,
} from "@statecast/testing";
import pg from "pg";
import { PostgresConsumerLeases } from "./consumer-lease.js";
import { type DurableConsumerSpec, partitionName } from "./durable-consumer.js";
import { OnStreamEvents } from "./event-pattern.js";
import { JetStreamEventsServer } from "./jetstream-events.server.js";

const STREAM = "L_EVENTS";
const GROUP = "l-consumer";

interface Seen {
  replica: string;
  key: string;
  n: number;
}

/** Every handling, by any replica, in the order it happened. */
const seen: Seen[] = [];
/** Per `n`: how many more times its handling fails. */
const failures = new Map<number, number>();
/** Handling takes this long (ms): lets a test stop a replica with messages in hand. */
let slowMs = 0;
/** Handlers running now, and the most that ever ran at once. */
let running = 0;
let mostRunning = 0;

function handlersOf(replica: string): Type {
  @Controller()
  class Handlers {
    @OnStreamEvents(GROUP, ["Counted"])
    async counted(@Payload() body: { key: string; n: number }): Promise<void> {
      mostRunning = Math.max(mostRunning, ++running);
      if (slowMs) await new Promise((r) => setTimeout(r, slowMs));
      running--;
      const left = failures.get(body.n) ?? 0;
      seen.push({ replica, key: body.key, n: body.n });
      if (left > 0) {
        failures.set(body.n, left - 1);
        throw new Error(`not yet (${left} to go)`);
      }
    }
  }
  @Module({ controllers: [Handlers] })
  class HandlersModule {}
  return HandlersModule;
}

describe("leased consumers: many in flight, in order, one replica at a time", () => {
  let nats: TestNats;
  let db: TestDatabase;
  let nc: NatsConnection;
  let n = 0;
  const pools: pg.Pool[] = [];

  async function publish(key: string): Promise<number> {
    const h = headers();
    h.set("Sc-Event-Type", "Counted");
    const body = { key, n: ++n };
    await jetstream(nc).publish(`l.evt.dev.${key}.Counted`, JSON.stringify(body), {
      msgID: `l-${n}`,
      headers: h,
    });
    return body.n;
  }

  async function replica(
    name: string,
    consumers: DurableConsumerSpec[],
  ): Promise<{ app: INestMicroservice; pool: pg.Pool; nc: NatsConnection }> {
    const pool = new pg.Pool({ connectionString: db.url, application_name: name, max: 4 });
    pools.push(pool);
    const conn = await connect({ servers: nats.url });
    const app = await NestFactory.createMicroservice(handlersOf(name), {
      strategy: new JetStreamEventsServer(conn, {
        stream: STREAM,
        consumers,
        backoffMs: [30, 60],
        leases: new PostgresConsumerLeases(pool, { retryMs: 100, takeoverMs: 300, checkMs: 200 }),
      }),
      logger: false,
    });
    await app.listen();
    return { app, pool, nc: conn };
  }

  const one = (extra: Partial<DurableConsumerSpec> = {}): DurableConsumerSpec => ({
    name: GROUP,
    handlers: GROUP,
    filterSubject: "l.evt.>",
    inFlight: 64,
    ...extra,
  });

  async function settled(consumer: string): Promise<number> {
    const info = await (await jetstreamManager(nc)).consumers.info(STREAM, consumer);
    return info.num_pending + info.num_ack_pending;
  }

  async function infos() {
    const jsm = await jetstreamManager(nc);
    const out: object[] = [];
    for await (const info of jsm.consumers.list(STREAM)) {
      out.push({
        name: info.name,
        pending: info.num_pending,
        ackPending: info.num_ack_pending,
        floor: info.ack_floor.stream_seq,
        delivered: info.delivered.stream_seq,
        waiting: info.num_waiting,
      });
    }
    return { out, byReplica: { a: seen.filter((s) => s.replica === "a").length } };
  }

  async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000) {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what} (${seen.length} handled: ${JSON.stringify(await infos())})`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  beforeAll(async () => {
    nats = await startTestNats();
    db = await createTestDatabase("sc_lease");
    nc = await connect({ servers: nats.url });
  });
  beforeEach(async () => {
    seen.length = 0;
    failures.clear();
    slowMs = 0;
    running = 0;
    mostRunning = 0;
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(STREAM).catch(() => undefined);
    await jsm.streams.add({ name: STREAM, subjects: ["l.evt.>"] });
  });
  afterAll(async () => {
    for (const pool of pools) await pool.end().catch(() => undefined);
    await nc?.close();
    await nats?.dispose();
    await db?.drop();
  });

  it("handles 300 events with 64 in flight in stream order, retries a failure in place before any later one, acks all", async () => {
    const published: number[] = [];
    for (let i = 0; i < 300; i++) published.push(await publish(`d${i % 7}`));
    failures.set(published[100]!, 2);
    const { app, nc: conn } = await replica("a", [one()]);
    try {
      await until("every event handled", () => seen.length === 302);
      const order = seen.map((s) => s.n);
      expect(order.filter((x, i) => order[i - 1] !== x)).toEqual(published);
      expect(order.slice(100, 103)).toEqual([published[100], published[100], published[100]]);
      await until("every event acknowledged", async () => (await settled(GROUP)) === 0);
      const info = await (await jetstreamManager(nc)).consumers.info(STREAM, GROUP);
      expect(info.config.max_ack_pending).toBe(64);
    } finally {
      await app.close();
      await conn.close();
    }
  });

  it("handles several devices at once, each device's events in stream order, a failure retried in place", async () => {
    slowMs = 10;
    const published: { key: string; n: number }[] = [];
    for (let i = 0; i < 200; i++) {
      const key = `d${i % 10}`;
      published.push({ key, n: await publish(key) });
    }
    const failing = published[55]!;
    failures.set(failing.n, 2);
    const { app, nc: conn } = await replica("a", [one({ concurrency: 8 })]);
    try {
      await until("every event handled", () => seen.length >= 202);
      expect(seen).toHaveLength(202);
      for (let k = 0; k < 10; k++) {
        const key = `d${k}`;
        const handled = seen.filter((x) => x.key === key).map((x) => x.n);
        const expected = published.filter((x) => x.key === key).map((x) => x.n);
        expect(handled.filter((x, i) => handled[i - 1] !== x)).toEqual(expected);
      }
      expect(seen.filter((x) => x.n === failing.n)).toHaveLength(3);
      expect(mostRunning).toBeGreaterThan(1);
      expect(mostRunning).toBeLessThanOrEqual(8);
      await until("every event acknowledged", async () => (await settled(GROUP)) === 0);
    } finally {
      await app.close();
      await conn.close();
    }
  });

  it("runs on one replica at a time; the other takes over a dead one's lease and goes on from the floor, in order, skipping nothing", async () => {
    slowMs = 20;
    const published: number[] = [];
    for (let i = 0; i < 200; i++) published.push(await publish(`d${i % 5}`));
    const a = await replica("a", [one()]);
    const b = await replica("b", [one()]);
    try {
      await until("some handled", () => seen.length >= 40);
      expect(new Set(seen.map((s) => s.replica)).size).toBe(1);
      const first = seen[0]!.replica;
      const holder = first === "a" ? a : b;
      // The holder's database goes away (as when its machine dies): its lease with it, and it
      // cannot take one again.
      const terminated = holder.pool.query(
        `SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity s USING (pid)
          WHERE l.locktype = 'advisory' AND s.application_name = $1`,
        [first],
      );
      void holder.pool.end().catch(() => undefined);
      await terminated;
      await until("the other replica took over", () => seen.some((s) => s.replica !== first));
      await until("every event handled by the one now holding it", () => {
        const last = seen.filter((s) => s.replica !== first).map((s) => s.n);
        return last.at(-1) === published.at(-1);
      });
      // Each replica saw what it handled in stream order, the taker from a point at or before
      // where the first one stopped: together, every event, none skipped.
      const by = (r: string) => seen.filter((s) => s.replica === r).map((s) => s.n);
      const taker = by(first === "a" ? "b" : "a");
      const firsts = by(first);
      expect(taker).toEqual([...taker].sort((x, y) => x - y));
      expect(firsts).toEqual([...firsts].sort((x, y) => x - y));
      expect(taker[0]).toBeLessThanOrEqual((firsts.at(-1) ?? 0) + 1);
      expect(new Set([...firsts, ...taker])).toEqual(new Set(published));
      await until("every event acknowledged", async () => (await settled(GROUP)) === 0);
    } finally {
      await a.app.close();
      await b.app.close();
      await a.nc.close();
      await b.nc.close();
    }
  });

  it("splits keys over partitions: each key in one partition, in order there, all handled", async () => {
    const published: { key: string; n: number }[] = [];
    for (let i = 0; i < 120; i++) {
      const key = `dev-${i % 11}`;
      published.push({ key, n: await publish(key) });
    }
    const parts = [0, 1].map((index) =>
      one({ name: partitionName(GROUP, index, 2), partition: { index, count: 2 } }),
    );
    const a = await replica("a", [parts[0]!]);
    const b = await replica("b", [parts[1]!]);
    try {
      await until("every event handled", () => seen.length >= 120);
      expect(seen).toHaveLength(120);
      for (const { key, n: x } of published) {
        const handledBy = seen.filter((s) => s.n === x).map((s) => s.replica);
        expect(handledBy).toEqual([partitionOf(key, 2) === 0 ? "a" : "b"]);
      }
      for (const r of ["a", "b"]) {
        const order = seen.filter((s) => s.replica === r).map((s) => s.n);
        expect(order).toEqual([...order].sort((x, y) => x - y));
      }
      expect(new Set(seen.map((s) => s.replica))).toEqual(new Set(["a", "b"]));
    } finally {
      await a.app.close();
      await b.app.close();
      await a.nc.close();
      await b.nc.close();
    }
  });

  it("goes from one consumer to two partitions where the one stopped, and retires it once both exist", async () => {
    const before: number[] = [];
    for (let i = 0; i < 30; i++) before.push(await publish(`dev-${i % 9}`));
    const single = await replica("a", [one()]);
    await until("the single consumer's events handled", () => seen.length === 30);
    await until("acknowledged", async () => (await settled(GROUP)) === 0);
    await single.app.close();
    await single.nc.close();
    seen.length = 0;
    const after: number[] = [];
    for (let i = 0; i < 40; i++) after.push(await publish(`dev-${i % 9}`));
    const parts = [0, 1].map((index) =>
      one({ name: partitionName(GROUP, index, 2), partition: { index, count: 2 } }),
    );
    const a = await replica("a", [parts[0]!]);
    const b = await replica("b", [parts[1]!]);
    try {
      await until("the events published since handled", () => seen.length >= 40);
      expect(seen.map((x) => x.n).sort((x, y) => x - y)).toEqual(after);
      const names: string[] = [];
      for await (const info of (await jetstreamManager(nc)).consumers.list(STREAM))
        names.push(info.name);
      expect(names.sort()).toEqual([parts[0]!.name, parts[1]!.name]);
    } finally {
      await a.app.close();
      await b.app.close();
      await a.nc.close();
      await b.nc.close();
    }
  });

  it("refuses to start a consumer with many in flight and no leases", () => {
    const server = new JetStreamEventsServer(nc, { stream: STREAM, consumers: [one()] });
    expect(() => server.listen(() => undefined)).toThrow(/need leases/);
  });
});
