import { type ConsumerInfo, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import {
  deviceConnectionOptions,
  issueDeviceUser,
  openDeviceBuckets,
  type TargetEntry,
  watchOwnTarget,
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

/** A consumer create as a device can send it: any name, key and body. */
function createConsumer(
  nc: NatsConnection,
  name: string,
  deviceId: string,
  deliverSubject: string,
): Promise<Msg> {
  return nc.request(
    `${API}.CONSUMER.CREATE.${STREAM}.${name}.${key(deviceId)}`,
    JSON.stringify({
      stream_name: STREAM,
      config: {
        name,
        filter_subject: key(deviceId),
        deliver_subject: deliverSubject,
        deliver_policy: "last_per_subject",
        ack_policy: "none",
      },
    }),
    { timeout: 2_000 },
  );
}

async function take(watch: AsyncIterable<TargetEntry>, count: number): Promise<string[]> {
  const seen: string[] = [];
  for await (const entry of watch) {
    seen.push(entry.string());
    if (seen.length === count) break;
  }
  return seen;
}

/** Issue 17: a device holds ONE watch consumer, its fixed one, on its own key. */
describe("a device's target watch on a real nats-server", () => {
  let env: SecuredNats;
  const devices = new Map<string, NatsConnection>();
  const put = async (deviceId: string, value: string) =>
    (await new Kvm(jetstream(env.service, { timeout: 2_000 })).open("sc_targets")).put(
      deviceId,
      value,
    );
  const device = async (deviceId: string) => {
    let nc = devices.get(deviceId);
    if (!nc) {
      nc = await connectDevice(env, deviceId);
      devices.set(deviceId, nc);
    }
    return nc;
  };
  const consumers = async (): Promise<ConsumerInfo[]> =>
    (await jetstreamManager(env.service)).consumers.list(STREAM).next();
  const consumersOf = async (deviceId: string) =>
    (await consumers()).filter((c) => c.config.filter_subject === key(deviceId)).map((c) => c.name);

  beforeAll(async () => {
    env = await startSecuredNats();
  });
  afterAll(async () => {
    for (const nc of devices.values()) await nc.close();
    await env?.dispose();
  });

  it("gets the current value and then each update through its one fixed consumer, made again on reconnect", async () => {
    await put("dev-a", "target 1");
    const { creds } = await issueDeviceUser(env.setup, "dev-a");
    const nc = await connect({
      servers: env.nats.url,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 50,
      ...deviceConnectionOptions(creds!, "dev-a"),
    });
    const watch = await watchOwnTarget(nc, "dev-a", { heartbeatMs: 1_000 });
    try {
      expect(await take(watch, 1)).toEqual(["target 1"]);
      await put("dev-a", "target 2");
      expect(await take(watch, 1)).toEqual(["target 2"]);
      // A restarted agent (a second watch) and a reconnect take over the same consumer.
      const again = await watchOwnTarget(nc, "dev-a", { heartbeatMs: 1_000 });
      again.stop();
      await env.restart(); // the connection comes back; the in-memory consumer does not
      await vi.waitFor(() => put("dev-a", "target 3"), { timeout: 20_000, interval: 200 });
      expect(await take(watch, 1)).toEqual(["target 3"]);
    } finally {
      watch.stop();
    }
    expect(await consumersOf("dev-a")).toEqual(["sc_target_watch_dev-a"]);
    await nc.close();
  });

  it("cannot create a consumer of another name, nor one on another device's key", async () => {
    await put("dev-b", "target for b");
    const nc = await device("dev-c");
    for (const [name, deviceId] of [
      ["other", "dev-c"],
      ["sc_target_watch_dev-b", "dev-c"],
      ["sc_target_watch_dev-c", "dev-b"],
      ["sc_target_watch_dev-b", "dev-b"],
    ] as const) {
      const denial = await permissionDenial(
        createConsumer(nc, name, deviceId, "sc.inbox.dev-c.target"),
      );
      expect(denial.subject).toBe(`${API}.CONSUMER.CREATE.${STREAM}.${name}.${key(deviceId)}`);
    }
    // The previous agent's watch (`kv.watch`, a new ordered consumer name each time) is refused.
    const { targets } = await openDeviceBuckets(nc, "dev-c");
    const legacy = await permissionDenial(targets.watch({ key: "dev-c" }));
    expect(legacy.subject).toMatch(
      /\.CONSUMER\.CREATE\.KV_sc_targets\.[^.]+\.\$KV\.sc_targets\.dev-c$/,
    );
    expect(await consumersOf("dev-b")).toEqual([]);
    expect(await consumersOf("dev-c")).toEqual([]);
  });

  it("keeps an earlier agent's kv.watch working with the earlier permissions (legacy target watch)", async () => {
    await put("dev-h", "target for h");
    const { creds } = await issueDeviceUser(env.setup, "dev-h", undefined, undefined, {
      legacyTargetWatch: true,
    });
    const nc = await connect({
      servers: env.nats.url,
      reconnect: false,
      ...deviceConnectionOptions(creds!, "dev-h"),
    });
    devices.set("dev-h", nc);
    const { targets } = await openDeviceBuckets(nc, "dev-h");
    const watch = await targets.watch({ key: "dev-h" });
    expect(await take(watch, 1)).toEqual(["target for h"]);
    watch.stop();
  });

  it("cannot hold a second consumer on its key: creating its fixed one again changes that one", async () => {
    const nc = await device("dev-d");
    for (const inbox of ["one", "two", "three"]) {
      const reply = await createConsumer(
        nc,
        "sc_target_watch_dev-d",
        "dev-d",
        `sc.inbox.dev-d.${inbox}`,
      );
      expect(reply.json<{ error?: unknown }>().error).toBeUndefined();
    }
    const [info, ...more] = (await consumers()).filter(
      (c) => c.config.filter_subject === key("dev-d"),
    );
    expect(more).toEqual([]);
    expect(info?.name).toBe("sc_target_watch_dev-d");
    expect(info?.config.deliver_subject).toBe("sc.inbox.dev-d.three");
  });

  it("cannot get anything into another device's watch: not with its consumer's deliver subject, not with a reply-to", async () => {
    await put("dev-f", "target for f");
    await put("dev-e", "target for e");
    const victim = await device("dev-f");
    const attacker = await device("dev-e");
    const watch = await watchOwnTarget(victim, "dev-f");
    // What does reach the victim's subject (nats-server checks neither a deliver subject nor a
    // reply-to against permissions), seen by a plain subscription of the victim.
    const arrived: Msg[] = [];
    const raw = victim.subscribe("sc.inbox.dev-f.target", {
      callback: (_error, msg) => {
        if (!msg.reply?.startsWith(`$JS.ACK.${STREAM}.sc_target_watch_dev-f.`)) arrived.push(msg);
      },
    });
    try {
      expect(await take(watch, 1)).toEqual(["target for f"]);
      await victim.flush();
      // Its own consumer pointed at the victim's watch subject: the server lets the body through...
      const created = await createConsumer(
        attacker,
        "sc_target_watch_dev-e",
        "dev-e",
        "sc.inbox.dev-f.target",
      );
      expect(created.json<{ error?: unknown }>().error).toBeUndefined();
      // ...and replies to its own requests sent there: a status ack and a direct get of its target.
      attacker.publish("sc.dev.dev-e.status", "{}", { reply: "sc.inbox.dev-f.target" });
      attacker.publish(`${API}.DIRECT.GET.${STREAM}.${key("dev-e")}`, undefined, {
        reply: "sc.inbox.dev-f.target",
      });
      await put("dev-e", "next target for e");
      await vi.waitFor(() => expect(arrived.length).toBeGreaterThanOrEqual(3), { timeout: 5_000 });
      // ...but none of it is a delivery of the victim's consumer: its watch takes only its own.
      await put("dev-f", "next target for f");
      expect(await take(watch, 1)).toEqual(["next target for f"]);
      expect(arrived.map((m) => m.string()).join()).toContain("target for e");
    } finally {
      raw.unsubscribe();
      watch.stop();
    }
  });

  it("cannot forge a delivery: the server refuses a publish whose reply-to is a JetStream ack", async () => {
    const nc = await device("dev-g");
    const violation = nextPermissionViolation(nc);
    nc.publish("sc.dev.dev-g.status", "{}", {
      reply: `$JS.ACK.${STREAM}.sc_target_watch_dev-f.1.99.99.0.0`,
    });
    expect((await violation).message).toContain(
      `Publish with Reply of "$JS.ACK.${STREAM}.sc_target_watch_dev-f.`,
    );
  });
});
