import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { Controller, type INestMicroservice, Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { Ctx, MessagePattern, Payload } from "@nestjs/microservices";
import { NotFoundError, TimedOutError } from "@statecast/events";
import { startTestNats, type TestNats } from "@statecast/testing";
import { OnStreamEvent } from "./event-pattern.js";
import type { JetStreamEventContext } from "./jetstream-event.context.js";
import { JetStreamEventsServer } from "./jetstream-events.server.js";
import { RpcErrorsFilter } from "./rpc-errors.filter.js";
import { requestService } from "./service-request.js";

const STREAM = "T_EVENTS";

/** What the handlers saw, and how many more times `Flaky` fails before it succeeds. */
const seen: { type: string; n: number; attempt: number }[] = [];
let failuresLeft = 0;

@Controller()
class Handlers {
  @OnStreamEvent("t-consumer", "Counted")
  counted(@Payload() body: { n: number }, @Ctx() ctx: JetStreamEventContext): void {
    seen.push({ type: "Counted", n: body.n, attempt: ctx.getDeliveryCount() });
  }

  @OnStreamEvent("t-consumer", "Flaky")
  async flaky(@Payload() body: { n: number }, @Ctx() ctx: JetStreamEventContext): Promise<void> {
    seen.push({ type: "Flaky", n: body.n, attempt: ctx.getDeliveryCount() });
    if (failuresLeft-- > 0) throw new Error("not yet");
  }

  @MessagePattern("t.svc.double")
  double(@Payload() body: { n: number }): { n: number } {
    if (body.n < 0) throw new NotFoundError(`nothing doubles ${body.n}`);
    return { n: body.n * 2 };
  }
}

@Module({ controllers: [Handlers] })
class HandlersModule {}

async function startConsumer(nc: NatsConnection): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(HandlersModule, {
    strategy: new JetStreamEventsServer(nc, {
      stream: STREAM,
      consumers: [{ name: "t-consumer", filterSubject: "t.evt.>" }],
      backoffMs: [50, 100],
    }),
    logger: false,
  });
  app.useGlobalFilters(new RpcErrorsFilter());
  await app.listen();
  return app;
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("JetStreamEventsServer (the events transport)", () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let n = 0;

  async function publish(type: string, id = `e-${++n}`): Promise<void> {
    const h = headers();
    h.set("Sc-Event-Type", type);
    await jetstream(nc).publish(`t.evt.${type}`, JSON.stringify({ n }), { msgID: id, headers: h });
  }

  beforeAll(async () => {
    nats = await startTestNats();
    nc = await connect({ servers: nats.url });
    await (await jetstreamManager(nc)).streams.add({ name: STREAM, subjects: ["t.evt.>"] });
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.dispose();
  });
  beforeEach(() => {
    seen.length = 0;
  });

  it("delivers in stream order, redelivers a failed event after a delay before any later one, and acks all", async () => {
    const app = await startConsumer(nc);
    try {
      failuresLeft = 2;
      await publish("Counted");
      await publish("Flaky");
      await publish("Ignored");
      await publish("Counted");
      await until("five deliveries", () => seen.length === 5);
      expect(seen.map((s) => [s.type, s.attempt])).toEqual([
        ["Counted", 1],
        ["Flaky", 1],
        ["Flaky", 2],
        ["Flaky", 3],
        ["Counted", 1],
      ]);
      expect(seen.map((s) => s.n)).toEqual([n - 3, n - 2, n - 2, n - 2, n]);
      const jsm = await jetstreamManager(nc);
      let outstanding = -1;
      for (let i = 0; i < 50 && outstanding !== 0; i++) {
        const info = await jsm.consumers.info(STREAM, "t-consumer");
        outstanding = info.num_pending + info.num_ack_pending;
        if (outstanding !== 0) await new Promise((r) => setTimeout(r, 20));
      }
      expect(outstanding).toBe(0);
    } finally {
      await app.close();
    }
  });

  it("resumes after a restart with what was published while it was down, and nothing before", async () => {
    let app = await startConsumer(nc);
    await publish("Counted");
    await until("the first event", () => seen.length === 1);
    await app.close();
    const whileDown = n + 1;
    await publish("Counted");
    await publish("Counted");
    app = await startConsumer(nc);
    try {
      await until("the two published while down", () => seen.length === 3);
      expect(seen.slice(1).map((s) => s.n)).toEqual([whileDown, whileDown + 1]);
      await new Promise((r) => setTimeout(r, 200));
      expect(seen).toHaveLength(3);
    } finally {
      await app.close();
    }
  });

  it("closes at once when closed while its consumer is still being opened, and delivers nothing after", async () => {
    const app = await startConsumer(nc); // listen() returned; the consumer is opened in the background
    const closed = app.close().then(() => "closed");
    const waited = new Promise((r) => setTimeout(() => r("still open after 5 s"), 5_000));
    expect(await Promise.race([closed, waited])).toBe("closed");
    await publish("Counted");
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toHaveLength(0);
  });

  it("answers @MessagePattern requests, with the error class and code of the one error tree", async () => {
    const app = await startConsumer(nc);
    try {
      const ask = (n: number) => requestService(nc, "t.svc.double", { n }, { timeoutMs: 2_000 });
      expect(await ask(21)).toEqual({ n: 42 });
      await expect(ask(-1)).rejects.toThrow(NotFoundError);
      await expect(ask(-1)).rejects.toThrow("nothing doubles -1");
    } finally {
      await app.close();
    }
    // Nobody answers any more: a typed time-out, not a hang.
    await expect(requestService(nc, "t.svc.double", { n: 1 }, { timeoutMs: 300 })).rejects.toThrow(
      TimedOutError,
    );
  });
});
