import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startTestNats, type TestNats } from "@statecast/testing";
import { ensureDirectGet } from "./direct-get.js";

/** A deployment whose `sc_targets` was made without direct get (issue 16's agents need it). */
describe("direct get on an existing sc_targets", () => {
  let nats: TestNats;
  let nc: NatsConnection;
  beforeAll(async () => {
    nats = await startTestNats();
    nc = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    await nc.close();
    await nats.dispose();
  });

  it("is turned on, keeping the values, and a direct get of a key then answers", async () => {
    const kv = await new Kvm(nc).create("sc_targets", { history: 1, allow_direct: false });
    const revision = await kv.put("dev-1", "target 1");
    const jsm = await jetstreamManager(nc);
    // What the gateway's own create does with it: nothing.
    await new Kvm(nc).create("sc_targets", { history: 1, allow_direct: true });
    expect((await jsm.streams.info("KV_sc_targets")).config.allow_direct).toBe(false);

    expect(await ensureDirectGet(jsm, "KV_sc_targets")).toBe(true);
    expect(await ensureDirectGet(jsm, "KV_sc_targets")).toBe(false);
    const msg = await nc.request(
      "$JS.API.DIRECT.GET.KV_sc_targets.$KV.sc_targets.dev-1",
      undefined,
      {
        timeout: 2_000,
      },
    );
    expect(msg.string()).toBe("target 1");
    expect(Number(msg.headers?.get("Nats-Sequence"))).toBe(revision);
  });
});
