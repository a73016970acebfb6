import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { credsConnectionOptions, issueServiceUser, openDeviceBuckets } from "./index.js";
import {
  connectDevice,
  permissionDenial,
  type SecuredNats,
  startSecuredNats,
} from "./secured-nats.test-helper.js";

describe("objects for devices, JetStream management for services", () => {
  let env: SecuredNats;
  let device: NatsConnection;
  const content = new Uint8Array(1_000).map((_, i) => (i * 7) % 251);

  beforeAll(async () => {
    env = await startSecuredNats();
    const objects = await new Objm(jetstream(env.service)).open("sc_objects");
    await objects.putBlob({ name: "sha-of-rootfs" }, content);
    device = await connectDevice(env, "dev-o");
  });
  afterAll(async () => {
    await device?.close();
    await env?.dispose();
  });

  it("gives a device no JetStream read of sc_objects: a message get of any sequence is refused", async () => {
    // nats-server 2.9 cannot narrow a message get to some sequences, and `_config` objects hold
    // secrets: devices ask the gateway on sc.dev.<id>.object, which checks their targets.
    for (const [subject, body] of [
      ["$JS.services.API.STREAM.MSG.GET.OBJ_sc_objects", { seq: 1 }],
      ["$JS.services.API.STREAM.MSG.GET.OBJ_sc_objects", { last_by_subj: "$O.sc_objects.M.>" }],
      ["$JS.services.API.DIRECT.GET.OBJ_sc_objects", { seq: 1 }],
      ["$JS.services.API.CONSUMER.CREATE.OBJ_sc_objects.c.$O.sc_objects.C.x", {}],
    ] as const) {
      const request = device.request(subject, JSON.stringify(body), { timeout: 2_000 });
      expect((await permissionDenial(request)).subject).toBe(subject);
    }
    const { objects } = await openDeviceBuckets(device, "dev-o");
    await permissionDenial(objects.getBlob("sha-of-rootfs"));
  });

  it("lets a device ask the gateway for objects on its own sc.dev.<id>.object only", async () => {
    const gateway = env.service.subscribe("sc.dev.*.object", {
      callback: (_e, msg) => {
        msg.respond(`object for ${msg.subject.split(".")[2]}`);
      },
    });
    await env.service.flush();
    try {
      const reply = await device.request("sc.dev.dev-o.object", "{}", { timeout: 2_000 });
      expect(reply.string()).toBe("object for dev-o");
      const other = device.request("sc.dev.dev-x.object", "{}", { timeout: 2_000 });
      expect((await permissionDenial(other)).subject).toBe("sc.dev.dev-x.object");
    } finally {
      gateway.unsubscribe();
    }
  });

  it("refuses a device writing an object or a target", async () => {
    const { objects, targets } = await openDeviceBuckets(device, "dev-o");
    await permissionDenial(objects.putBlob({ name: "planted" }, new Uint8Array(10)));
    const stored = await new Objm(jetstream(env.service)).open("sc_objects");
    expect(await stored.info("planted")).toBeNull();
    const write = await permissionDenial(targets.put("dev-o", "self-assigned target"));
    expect(write.subject).toMatch(/\$KV\.sc_targets\.dev-o$/);
  });

  it("gives a service user full JetStream management in its account", async () => {
    const nc = await connect({
      servers: env.nats.url,
      ...credsConnectionOptions(await issueServiceUser(env.setup, "gateway")),
    });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "SC_EVENTS", subjects: ["sc.evt.>"], num_replicas: 1 });
      const consumer = await jsm.consumers.add("SC_DEVICE_STATUS", {
        durable_name: "status-ingest",
        ack_policy: AckPolicy.Explicit,
      });
      expect(consumer.name).toBe("status-ingest");
      const names = (await jsm.streams.names().next()).sort();
      expect(names).toEqual(["KV_sc_targets", "OBJ_sc_objects", "SC_DEVICE_STATUS", "SC_EVENTS"]);
      const targets = await new Kvm(jetstream(nc)).open("sc_targets");
      await targets.put("dev-o", "target");
      await targets.delete("dev-o");
      expect((await jsm.getAccountInfo()).streams).toBe(4);
      await jsm.consumers.delete("SC_DEVICE_STATUS", "status-ingest");
      expect(await jsm.streams.delete("SC_EVENTS")).toBe(true);
    } finally {
      await nc.close();
    }
  });
});
