import { createHash } from "node:crypto";
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
  const content = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);

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

  it("lets a device read a whole object in chunks", async () => {
    const { objects } = await openDeviceBuckets(device, "dev-o");
    const blob = await objects.getBlob("sha-of-rootfs");
    expect(blob?.length).toBe(content.length);
    expect(sha256(blob!)).toBe(sha256(content)); // deep-equal on 300 kB is needlessly slow
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

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
