import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { watchOwnTarget } from "@statecast/nats-auth";
import { startTestNats, type TestNats } from "@statecast/testing";

/**
 * The first 10,000-device bench:fleet run: agents whose watch consumer was not made within the
 * request timeout (a server busy with thousands of connects) failed to start at all.
 */
describe("a device's target watch on a server too busy to answer", () => {
  let nats: TestNats;
  let nc: NatsConnection;
  beforeEach(async () => {
    nats = await startTestNats();
    nc = await connect({ servers: nats.url });
  });
  afterEach(async () => {
    await nc.close();
    await nats.dispose();
  });

  it("starts anyway, makes its consumer on a later try and delivers the current target", async () => {
    const kv = await new Kvm(nc).create("sc_targets");
    await kv.put("dev-1", "target 1");
    // A JetStream API in front of the real one that leaves the first request unanswered.
    let unanswered = 1;
    const asked: string[] = [];
    nc.subscribe("slow.api.>", {
      callback: (_error, msg) => {
        asked.push(msg.subject.split(".")[2] ?? "");
        if (unanswered-- > 0) return;
        void nc
          .request(msg.subject.replace(/^slow\.api/, "$JS.API"), msg.data, { timeout: 2_000 })
          .then((real) => msg.respond(real.data, real.headers ? { headers: real.headers } : {}))
          // Teardown closes the connection under a forward still in flight (the stopped watch's
          // last request): that one has no one left to answer. A forward the test needs that fails
          // leaves the watch unanswered, and the test fails on its own expectations.
          .catch(() => undefined);
      },
    });
    const warnings: string[] = [];
    const watch = await watchOwnTarget(nc, "dev-1", {
      apiPrefix: "slow.api",
      heartbeatMs: 500,
      warn: (message) => warnings.push(message),
    });
    try {
      expect(warnings).toEqual(["target watch: the server did not answer in time; retrying"]);
      for await (const entry of watch) {
        expect(entry.string()).toBe("target 1");
        break;
      }
      expect(asked.slice(0, 2)).toEqual(["CONSUMER", "CONSUMER"]); // unanswered, then made
    } finally {
      watch.stop();
    }
  }, 30_000);
});
