import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { type NatsConnection, PermissionViolationError } from "@nats-io/transport-node";
import { openDeviceBuckets, watchOwnTarget } from "./index.js";
import {
  connectDevice,
  nextPermissionViolation,
  permissionDenial,
  type SecuredNats,
  startSecuredNats,
} from "./secured-nats.test-helper.js";

describe("a device's credentials on a real nats-server", () => {
  let env: SecuredNats;
  let serviceTargets: KV;
  let deviceA: NatsConnection;
  let targetOfB: number;

  beforeAll(async () => {
    env = await startSecuredNats();
    serviceTargets = await new Kvm(jetstream(env.service)).open("sc_targets");
    await serviceTargets.put("dev-a", "target for a");
    targetOfB = await serviceTargets.put("dev-b", "target for b");
    deviceA = await connectDevice(env, "dev-a");
  });
  afterAll(async () => {
    await deviceA?.close();
    await env?.dispose();
  });

  it("reads its own target with get and its one watch", async () => {
    const { targets } = await openDeviceBuckets(deviceA, "dev-a");
    expect((await targets.get("dev-a"))?.string()).toBe("target for a");
    const watch = await watchOwnTarget(deviceA, "dev-a");
    const seen: string[] = [];
    try {
      for await (const entry of watch) {
        seen.push(entry.string());
        if (seen.length === 1) await serviceTargets.put("dev-a", "next target for a");
        if (seen.length === 2) break;
      }
    } finally {
      watch.stop();
    }
    expect(seen).toEqual(["target for a", "next target for a"]);
  });

  it("publishes its own status into SC_DEVICE_STATUS and gets the JetStream ack", async () => {
    const ack = await jetstream(deviceA).publish("sc.dev.dev-a.status", '{"seq":1}', {
      msgID: "dev-a:boot-1:1",
    });
    expect(ack.stream).toBe("SC_DEVICE_STATUS");
    const jsm = await jetstreamManager(env.service);
    const stored = await jsm.streams.getMessage("SC_DEVICE_STATUS", { seq: ack.seq });
    expect(stored?.subject).toBe("sc.dev.dev-a.status");
  });

  it("requests its own hello and receives the reply on its own inbox", async () => {
    const gateway = env.service.subscribe("sc.dev.*.hello", {
      callback: (_err, msg) => {
        msg.respond(`welcome ${msg.subject.split(".")[2]}`);
      },
    });
    try {
      const reply = await deviceA.request("sc.dev.dev-a.hello", "hi", { timeout: 2_000 });
      expect(reply.string()).toBe("welcome dev-a");
    } finally {
      gateway.unsubscribe();
    }
  });

  it("cannot get another device's target key", async () => {
    const { targets } = await openDeviceBuckets(deviceA, "dev-a");
    const denial = await permissionDenial(targets.get("dev-b"));
    expect(denial.subject).toBe("$JS.services.API.DIRECT.GET.KV_sc_targets.$KV.sc_targets.dev-b");
  });

  it("cannot watch the whole bucket or another key", async () => {
    const { targets } = await openDeviceBuckets(deviceA, "dev-a");
    const whole = await permissionDenial(targets.watch());
    expect(whole.subject).toMatch(
      /^\$JS\.services\.API\.CONSUMER\.CREATE\.KV_sc_targets\.[^.]+\.\$KV\.sc_targets\.>$/,
    );
    const other = await permissionDenial(targets.watch({ key: "dev-b" }));
    expect(other.subject).toMatch(/\.\$KV\.sc_targets\.dev-b$/);
  });

  it("cannot widen its own consumer: the server refuses a filter that differs from the subject", async () => {
    const reply = await deviceA.request(
      "$JS.services.API.CONSUMER.CREATE.KV_sc_targets.sc_target_watch_dev-a.$KV.sc_targets.dev-a",
      JSON.stringify({
        stream_name: "KV_sc_targets",
        config: {
          name: "sc_target_watch_dev-a",
          filter_subject: "$KV.sc_targets.>",
          deliver_subject: "sc.inbox.dev-a.wide",
          ack_policy: "none",
        },
      }),
    );
    expect(reply.json<{ error?: { err_code: number } }>().error?.err_code).toBe(10131);
  });

  it("cannot turn its own direct get into a read of another message", async () => {
    const reply = await deviceA.request(
      "$JS.services.API.DIRECT.GET.KV_sc_targets.$KV.sc_targets.dev-a",
      JSON.stringify({ seq: targetOfB }),
    );
    expect(reply.headers?.code).toBe(408);
    expect(reply.string()).not.toContain("target for b");
  });

  it("cannot use the plain message-get or consumer-create APIs on the targets stream", async () => {
    for (const subject of [
      "$JS.services.API.STREAM.MSG.GET.KV_sc_targets",
      "$JS.services.API.CONSUMER.CREATE.KV_sc_targets",
      "$JS.services.API.DIRECT.GET.KV_sc_targets",
      "$JS.services.API.STREAM.INFO.KV_sc_targets",
      "$JS.services.API.INFO",
      "$JS.API.INFO",
      "$JS.API.DIRECT.GET.KV_sc_targets.$KV.sc_targets.dev-a",
    ]) {
      const request = deviceA.request(subject, JSON.stringify({ seq: targetOfB }), {
        timeout: 2_000,
      });
      expect((await permissionDenial(request)).subject).toBe(subject);
    }
  });

  it("cannot publish another device's status", async () => {
    const violation = nextPermissionViolation(deviceA);
    deviceA.publish("sc.dev.dev-b.status", '{"spoofed":true}');
    const error = await violation;
    expect(error.operation).toBe("publish");
    expect(error.subject).toBe("sc.dev.dev-b.status");
    const jsm = await jetstreamManager(env.service);
    const spoofed = await jsm.streams.getMessage("SC_DEVICE_STATUS", {
      last_by_subj: "sc.dev.dev-b.status",
    });
    expect(spoofed).toBeNull();
  });

  it("cannot subscribe to another device's subjects, inbox or the shared inbox", async () => {
    for (const subject of [
      "sc.dev.dev-b.>",
      "sc.dev.dev-b.status",
      "sc.inbox.dev-b.>",
      "_INBOX.>",
      "sc.inbox.>",
    ]) {
      const violation = nextPermissionViolation(deviceA);
      const sub = deviceA.subscribe(subject);
      const error = await violation;
      expect(error.operation).toBe("subscription");
      expect(error.subject).toBe(subject);
      await expect(sub.closed).resolves.toBeInstanceOf(PermissionViolationError);
    }
  });
});
