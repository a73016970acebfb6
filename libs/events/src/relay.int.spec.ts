import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startTestNats, type TestNats } from "@statecast/testing";
import { startRelay } from "./relay.js";
import { EVENTS_STREAM } from "./relay-subject.js";
import {
  aMigratedStore,
  aTagsChanged,
  type StoreFixture,
  someMetadata,
} from "./testing/event-store.test-helper.js";

const CHILD = fileURLToPath(new URL("./testing/relay-child.test-helper.ts", import.meta.url));

type Relayed = {
  eventId: string;
  streamId: string;
  streamVersion: number;
  subject: string;
  msgId?: string;
};

describe("relay to JetStream", () => {
  let f: StoreFixture;
  let server: TestNats;
  let nc: NatsConnection;
  beforeEach(async () => {
    f = await aMigratedStore();
    server = await startTestNats();
    nc = await connect({ servers: server.url });
  });
  afterEach(async () => {
    await nc.close();
    await server.dispose();
    await f.dispose();
  });

  it("publishes committed events with msgID = event id, subject and traceparent", async () => {
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await f.store.append("device:d.1", [aTagsChanged(1, someMetadata({ traceparent }))], {
      expectedVersion: "any",
    });
    const relay = await startRelay(f.store, { nats: nc, pollIntervalMs: 50 });
    const [message] = await readStream(nc, 1);
    await relay.stop();
    const [event] = (await f.store.readStream("device:d.1")).events;
    expect(message?.subject).toBe("sc.evt.device.d%2E1.DeviceTagsChanged");
    expect(message?.msgId).toBe(event?.eventId);
    expect(message?.traceparent).toBe(traceparent);
    expect(message?.body).toMatchObject({ eventId: event?.eventId, data: { tags: { n: "1" } } });
  });

  it("killed and restarted mid-stream, leaves every committed event in JetStream exactly once, in order per stream", async () => {
    const writing = writeFor(f, 2_000);
    let child = startChild(f.db.url, server.url, { FREEZE_AFTER_PUBLISH: "1" });
    await waitForLine(child, (l) => "published" in l); // acked by JetStream, checkpoint not committed
    child.kill("SIGKILL");
    await once(child, "exit");
    await sleep(300); // events keep arriving while no relay runs
    child = startChild(f.db.url, server.url);
    let duplicates = 0;
    onLine(child, (l) => {
      duplicates += Number(l.duplicates ?? 0);
    });
    const committed = await writing;
    const relayed = await readStream(nc, committed);
    await sleep(300);
    const info = await (await jetstreamManager(nc)).streams.info(EVENTS_STREAM);
    child.kill("SIGTERM");
    await once(child, "exit");

    expect(info.state.messages).toBe(committed); // nothing twice, nothing missing
    const { rows } = await f.pool.query<{ event_id: string }>("SELECT event_id FROM events");
    expect(new Set(relayed.map((m) => m.msgId))).toEqual(new Set(rows.map((r) => r.event_id)));
    const lastVersion = new Map<string, number>();
    for (const m of relayed) {
      const body = m.body as Relayed;
      expect(body.streamVersion).toBe((lastVersion.get(body.streamId) ?? 0) + 1);
      lastVersion.set(body.streamId, body.streamVersion);
    }
    // The batch acked before the kill was sent again and dropped by the server's msgID dedup.
    expect(duplicates).toBeGreaterThan(0);
  });
});

async function writeFor(f: StoreFixture, ms: number): Promise<number> {
  const until = Date.now() + ms;
  let count = 0;
  await Promise.all(
    Array.from({ length: 6 }, async (_, w) => {
      for (let n = 0; Date.now() < until; n++) {
        const events = Array.from({ length: 1 + (n % 3) }, (_, i) => aTagsChanged(i));
        await f.store.append(`device:r${w % 3}`, events, { expectedVersion: "any" });
        count += events.length;
        await sleep(2);
      }
    }),
  );
  return count;
}

function startChild(
  databaseUrl: string,
  natsUrl: string,
  env: Record<string, string> = {},
): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
    env: { ...process.env, ...env, DATABASE_URL: databaseUrl, NATS_URL: natsUrl },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return child;
}

function onLine(child: ChildProcess, handle: (line: Record<string, unknown>) => void): void {
  if (!child.stdout) throw new Error("relay child has no stdout");
  createInterface({ input: child.stdout }).on("line", (l) => {
    if (l.startsWith("{")) handle(JSON.parse(l) as Record<string, unknown>);
  });
}

async function waitForLine(
  child: ChildProcess,
  match: (line: Record<string, unknown>) => boolean,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error("relay child printed nothing useful in 20 s")),
      20_000,
    );
    onLine(child, (line) => {
      if (match(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`relay child exited early with ${code}`)));
  });
}

async function readStream(nc: NatsConnection, count: number) {
  const js = jetstream(nc);
  const consumer = await js.consumers.get(EVENTS_STREAM);
  const out: { subject: string; msgId?: string; traceparent?: string; body: unknown }[] = [];
  const messages = await consumer.consume();
  const deadline = setTimeout(() => messages.stop(), 20_000);
  for await (const m of messages) {
    out.push({
      subject: m.subject,
      msgId: m.headers?.get("Nats-Msg-Id"),
      traceparent: m.headers?.get("traceparent") || undefined,
      body: m.json(),
    });
    if (out.length >= count) break;
  }
  clearTimeout(deadline);
  return out;
}
