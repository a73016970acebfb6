import { type NatsConnection, PermissionViolationError } from "@nats-io/transport-node";
import { DEVICE_METRICS_BUCKET, metricsSubject, parseDeviceMetrics } from "@statecast/contract";
import {
  connectDevice,
  nextPermissionViolation,
  type SecuredNats,
  startSecuredNats,
} from "./secured-nats.test-helper.js";

const received = (nc: NatsConnection, subject: string) =>
  new Promise<{ subject: string; data: string }>((resolve) => {
    const sub = nc.subscribe(subject, {
      callback: (_err, msg) => {
        sub.unsubscribe();
        resolve({ subject: msg.subject, data: msg.string() });
      },
    });
  });

const METRICS = {
  kind: "metrics",
  v: 1,
  deviceId: "dev-a",
  bootId: "b1",
  runtime: "sim",
  intervalSeconds: 15,
  uptimeSeconds: 5,
  cpu: { percent: 1, cores: 1, load1: 0 },
  memory: { totalBytes: 1, availableBytes: 1 },
  disk: { totalBytes: 1, freeBytes: 1 },
  containers: [],
  at: "2026-01-01T00:00:00.000Z",
};

/** Issue 14: logs asked of a device and its metrics, under the device's own permissions. */
describe("device logs and metrics on the generated NATS permissions", () => {
  let env: SecuredNats;
  let deviceA: NatsConnection;

  beforeAll(async () => {
    env = await startSecuredNats();
    deviceA = await connectDevice(env, "dev-a");
  });
  afterAll(async () => {
    await deviceA?.close();
    await env?.dispose();
  });

  it("a logs request reaches the device on its inbox; its chunks and metrics reach the services", async () => {
    const asked = received(deviceA, "sc.inbox.dev-a.logs");
    await deviceA.flush();
    env.service.publish("sc.inbox.dev-a.logs", '{"requestId":"r1"}');
    expect(await asked).toEqual({ subject: "sc.inbox.dev-a.logs", data: '{"requestId":"r1"}' });

    const chunk = received(env.service, "sc.dev.*.logs");
    const metrics = received(env.service, "sc.dev.*.metrics");
    await env.service.flush();
    deviceA.publish("sc.dev.dev-a.logs", '{"requestId":"r1","data":"app: serving"}');
    deviceA.publish(metricsSubject("dev-a"), JSON.stringify(METRICS));
    expect(await chunk).toEqual({
      subject: "sc.dev.dev-a.logs",
      data: '{"requestId":"r1","data":"app: serving"}',
    });
    const own = await metrics;
    expect(own.subject).toBe("sc.dev.dev-a.metrics");
    expect(parseDeviceMetrics(new TextEncoder().encode(own.data), "dev-a")).toMatchObject({
      ok: true,
    });
  });

  it("cannot publish another device's log chunks or metrics, nor its own into the KV", async () => {
    // The bucket's subjects: a device reaches sc_device_metrics only through the gateway's check.
    const kv = (id: string) => `$KV.${DEVICE_METRICS_BUCKET}.${id}`;
    for (const subject of ["sc.dev.dev-b.logs", "sc.dev.dev-b.metrics", kv("dev-a"), kv("dev-b")]) {
      const spoofed = received(env.service, subject);
      await env.service.flush();
      const violation = nextPermissionViolation(deviceA);
      deviceA.publish(subject, "{}");
      const error = await violation;
      expect(error.operation).toBe("publish");
      expect(error.subject).toBe(subject);
      const outcome = await Promise.race([
        spoofed.then(() => "delivered"),
        new Promise((r) => setTimeout(() => r("not delivered"), 300)),
      ]);
      expect(outcome).toBe("not delivered");
    }
  });

  it("cannot read another device's logs: neither its requests nor its chunks", async () => {
    for (const subject of [
      "sc.inbox.dev-b.logs",
      "sc.dev.dev-b.logs",
      "sc.dev.*.logs",
      "sc.dev.*.metrics",
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
