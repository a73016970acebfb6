import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { GATEWAY_REVOKE_SUBJECT } from "@statecast/contract";
import { credsConnectionOptions } from "./connection-options.js";
import { type SecuredNats, startSecuredNats } from "./secured-nats.test-helper.js";
import type { ServiceRole } from "./service-permissions.js";
import { issueServiceUser } from "./users.js";

/** Each service connects as its own SERVICES user, limited to its part of the broker. */
describe("per-service NATS users (generated auth, real nats-server)", () => {
  let env: SecuredNats;
  let orchestrator: NatsConnection;
  let gateway: NatsConnection;

  const as = async (role: ServiceRole) =>
    connect({
      servers: env.nats.url,
      ...credsConnectionOptions(await issueServiceUser(env.setup, `t-${role}`, role)),
    });

  beforeAll(async () => {
    env = await startSecuredNats();
    await (await jetstreamManager(env.service)).streams.add({
      name: "SC_EVENTS",
      subjects: ["sc.evt.>"],
    });
    orchestrator = await as("orchestrator");
    gateway = await as("device-gateway");
  });
  afterAll(async () => {
    await orchestrator?.close();
    await gateway?.close();
    await env?.dispose();
  });

  it("only the orchestrator publishes events and manages SC_EVENTS; the gateway reads them", async () => {
    const ack = await jetstream(orchestrator).publish("sc.evt.device.d1.DeviceApproved", "{}", {
      msgID: "e-1",
    });
    expect(ack.seq).toBeGreaterThan(0);
    await expect(
      jetstream(gateway).publish("sc.evt.device.d1.DeviceApproved", "{}", { timeout: 1_000 }),
    ).rejects.toThrow(/permission|timeout|no responders/i);
    const jsm = await jetstreamManager(gateway);
    await expect(jsm.streams.purge("SC_EVENTS")).rejects.toThrow(/permission|timeout/i);
    await jsm.consumers.add("SC_EVENTS", { durable_name: "t-reader", ack_policy: "explicit" });
    const read = await (await jetstream(gateway).consumers.get("SC_EVENTS", "t-reader")).next();
    expect(read?.subject).toBe("sc.evt.device.d1.DeviceApproved");
    expect((await jsm.streams.info("SC_EVENTS")).state.messages).toBe(1);
  });

  it("only the gateway answers device hellos and the orchestrator's revocation requests", async () => {
    const answered = gateway.subscribe(GATEWAY_REVOKE_SUBJECT, {
      callback: (_e, msg) => {
        msg.respond("gateway");
      },
    });
    await gateway.flush();
    const refused = orchestrator.subscribe("sc.dev.*.hello");
    const closed = refused.closed;
    await orchestrator.flush();
    expect(String(await closed)).toMatch(/permission/i);
    expect((await orchestrator.request(GATEWAY_REVOKE_SUBJECT, "{}")).string()).toBe("gateway");
    answered.unsubscribe();
  });
});
