import { createConnection, createServer, type Server, type Socket } from "node:net";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { targetChangedSubject } from "@statecast/contract";
import { freePort } from "@statecast/infra";
import {
  deviceConnectionOptions,
  followOwnTarget,
  issueDeviceUser,
  type TargetEntry,
  type TargetFollow,
} from "./index.js";
import {
  connectDevice,
  nextPermissionViolation,
  permissionDenial,
  type SecuredNats,
  startSecuredNats,
} from "./secured-nats.test-helper.js";

const API = "$JS.services.API";
const STREAM = "KV_sc_targets";
const key = (deviceId: string) => `$KV.sc_targets.${deviceId}`;

/** The next `count` entries (value and revision), or a timeout error. */
async function take(watch: TargetFollow, count: number): Promise<[string, number][]> {
  const seen: [string, number][] = [];
  const iterator = watch[Symbol.asyncIterator]();
  while (seen.length < count) {
    const next = await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`only ${JSON.stringify(seen)} within 10 s`)), 10_000),
      ),
    ]);
    if (next.done) break;
    const entry: TargetEntry = next.value;
    seen.push([entry.string(), entry.revision]);
  }
  return seen;
}

/** A TCP relay in front of nats-server that a test can cut (the device's link down) and reopen. */
async function relayTo(port: () => number) {
  const listen = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const open = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = createConnection(port(), "127.0.0.1");
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("error", () => undefined);
          s.on("close", () => {
            sockets.delete(s);
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      }).listen(listen, "127.0.0.1", resolve);
    });
  const cut = async () => {
    await new Promise<void>((resolve) => {
      server?.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  };
  await open();
  return { url: `nats://127.0.0.1:${listen}`, open, cut };
}

/** Issue 16: a device follows its own key by direct get, with no JetStream consumer. */
describe("a device following its target without a consumer, on a real nats-server", () => {
  let env: SecuredNats;
  const open: NatsConnection[] = [];
  /** What the gateway does: put the key, then say so on the device's change subject. */
  const write = async (deviceId: string, value: string, tell = true) => {
    const kv = await new Kvm(jetstream(env.service, { timeout: 2_000 })).open("sc_targets");
    const revision = await kv.put(deviceId, value);
    if (tell) env.service.publish(targetChangedSubject(deviceId), `${revision}`);
    return revision;
  };
  const device = async (deviceId: string, options: { url?: string; wait?: number } = {}) => {
    const { creds } = await issueDeviceUser(env.setup, deviceId);
    const nc = await connect({
      servers: options.url ?? env.nats.url,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.wait ?? 50,
      ...deviceConnectionOptions(creds!, deviceId),
    });
    open.push(nc);
    return nc;
  };
  const consumerCount = async () =>
    (await (await jetstreamManager(env.service)).consumers.list(STREAM).next()).length;

  beforeAll(async () => {
    env = await startSecuredNats();
  });
  afterAll(async () => {
    for (const nc of open) await nc.close().catch(() => undefined);
    await env?.dispose();
  });

  it("reads the current value, then each change it is told of, in revision order, with no consumer", async () => {
    const first = await write("dev-a", "target 1");
    const nc = await device("dev-a");
    const watch = await followOwnTarget(nc, "dev-a", { checkMs: 600_000 });
    try {
      expect(await take(watch, 1)).toEqual([["target 1", first]]);
      const second = await write("dev-a", "target 2");
      expect(await take(watch, 1)).toEqual([["target 2", second]]);
      // Two writes in a row: the newest is taken, never an older one after it.
      await write("dev-a", "target 3");
      const fourth = await write("dev-a", "target 4");
      const seen = await take(watch, 1);
      if (seen[0]?.[0] === "target 3") seen.push(...(await take(watch, 1)));
      expect(seen.at(-1)).toEqual(["target 4", fourth]);
      expect(seen.map(([, revision]) => revision)).toEqual(
        [...seen.map(([, revision]) => revision)].sort((a, b) => a - b),
      );
      // A change message naming a revision already taken (or a stale one) yields nothing new.
      env.service.publish(targetChangedSubject("dev-a"), `${second}`);
      env.service.publish(targetChangedSubject("dev-a"), "");
      const fifth = await write("dev-a", "target 5");
      expect(await take(watch, 1)).toEqual([["target 5", fifth]]);
      expect(await consumerCount()).toBe(0);
    } finally {
      watch.stop();
    }
  });

  it("after a server restart, reads the change made while its link was down (no message reached it)", async () => {
    await write("dev-r", "before");
    const relay = await relayTo(() => env.nats.port);
    const nc = await device("dev-r", { url: relay.url });
    const reconnected = (async () => {
      for await (const s of nc.status()) if (s.type === "reconnect") return;
    })();
    const watch = await followOwnTarget(nc, "dev-r", { checkMs: 600_000 });
    try {
      expect((await take(watch, 1))[0]?.[0]).toBe("before");
      await relay.cut();
      await env.restart();
      // Written (and announced) while the device is away: the announcement reaches no one.
      const revision = await vi.waitFor(() => write("dev-r", "while away"), {
        timeout: 20_000,
        interval: 200,
      });
      await relay.open();
      await reconnected;
      expect(await take(watch, 1)).toEqual([["while away", revision]]);
    } finally {
      watch.stop();
      await relay.cut();
    }
  }, 60_000);

  it("finds a change whose message was lost on its next check", async () => {
    await write("dev-l", "first");
    const nc = await device("dev-l");
    const watch = await followOwnTarget(nc, "dev-l", { checkMs: 500 });
    try {
      expect((await take(watch, 1))[0]?.[0]).toBe("first");
      const revision = await write("dev-l", "unannounced", false);
      expect(await take(watch, 1)).toEqual([["unannounced", revision]]);
    } finally {
      watch.stop();
    }
  });

  it("reads a delete as a DEL entry", async () => {
    await write("dev-x", "some target");
    const nc = await device("dev-x");
    const watch = await followOwnTarget(nc, "dev-x", { checkMs: 600_000 });
    try {
      expect((await take(watch, 1))[0]?.[0]).toBe("some target");
      const kv = await new Kvm(jetstream(env.service)).open("sc_targets");
      await kv.delete("dev-x");
      env.service.publish(targetChangedSubject("dev-x"), "");
      for await (const entry of watch) {
        expect(entry.operation).toBe("DEL");
        break;
      }
    } finally {
      watch.stop();
    }
  });

  it("cannot read another device's key nor listen for its changes", async () => {
    await write("dev-b", "target for b");
    const nc = await connectDevice(env, "dev-c");
    open.push(nc);
    const denial = await permissionDenial(
      nc.request(`${API}.DIRECT.GET.${STREAM}.${key("dev-b")}`, undefined, { timeout: 2_000 }),
    );
    expect(denial.subject).toBe(`${API}.DIRECT.GET.${STREAM}.${key("dev-b")}`);
    await expect(followOwnTarget(nc, "dev-b", { checkMs: 600_000 })).rejects.toThrow();
    const violation = nextPermissionViolation(nc);
    nc.subscribe(targetChangedSubject("dev-b"));
    expect((await violation).message).toContain(
      `Subscription to "${targetChangedSubject("dev-b")}"`,
    );
  });

  it("takes nothing but its own key when another device replies a read of its own into its change subject", async () => {
    await write("dev-f", "target for f");
    await write("dev-e", "target for e");
    const victim = await device("dev-f");
    const attacker = await device("dev-e");
    const watch = await followOwnTarget(victim, "dev-f", { checkMs: 600_000 });
    try {
      expect((await take(watch, 1))[0]?.[0]).toBe("target for f");
      // The direct get's reply (dev-e's value, with its sequence) lands on dev-f's change subject.
      attacker.publish(`${API}.DIRECT.GET.${STREAM}.${key("dev-e")}`, undefined, {
        reply: targetChangedSubject("dev-f"),
      });
      await attacker.flush();
      const revision = await write("dev-f", "next target for f");
      expect(await take(watch, 1)).toEqual([["next target for f", revision]]);
    } finally {
      watch.stop();
    }
  });
});
