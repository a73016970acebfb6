import { createUser, encodeUser } from "@nats-io/jwt";
import { connect, type NatsConnection, NoRespondersError } from "@nats-io/transport-node";
import { credsConnectionOptions, credsText } from "./index.js";
import { setupKeys } from "./operator-setup.js";
import { type SecuredNats, startSecuredNats } from "./secured-nats.test-helper.js";

// Defence in depth: even a DEVICES user WITHOUT permission limits (a bug in devicePermissions,
// a leaked site credential) reaches only what SERVICES exports to DEVICES.
describe("the DEVICES account boundary", () => {
  let env: SecuredNats;
  let unrestricted: NatsConnection;

  beforeAll(async () => {
    env = await startSecuredNats();
    const user = createUser();
    const jwt = await encodeUser(
      "unrestricted",
      user,
      env.setup.devicesAccount.publicKey,
      {},
      {
        signer: setupKeys(env.setup).devicesSigning,
      },
    );
    unrestricted = await connect({
      servers: env.nats.url,
      ...credsConnectionOptions(credsText(jwt, user)),
    });
  });
  afterAll(async () => {
    await unrestricted?.close();
    await env?.dispose();
  });

  it("has no JetStream API beyond the exported device-plane calls", async () => {
    const own = await unrestricted.request("$JS.API.INFO", "", { timeout: 2_000 });
    expect(own.string()).toContain("not enabled"); // DEVICES has no JetStream of its own
    for (const subject of [
      "$JS.services.API.INFO",
      "$JS.services.API.STREAM.INFO.KV_sc_targets",
      "$JS.services.API.STREAM.DELETE.KV_sc_targets",
      "$JS.services.API.CONSUMER.CREATE.SC_DEVICE_STATUS",
      "$JS.services.API.STREAM.MSG.GET.KV_sc_targets",
    ]) {
      const request = unrestricted.request(subject, "{}", { timeout: 2_000 });
      await expect(request, subject).rejects.toSatisfy(isNoResponders);
    }
  });

  it("sees none of the services' own traffic", async () => {
    const sub = unrestricted.subscribe(">");
    await unrestricted.flush();
    env.service.publish("sc.evt.rollout.r1.WaveStarted", "internal");
    env.service.publish("sc.dev.dev-a.status", "a service-side message");
    await env.service.flush();
    await new Promise((r) => setTimeout(r, 300));
    expect(sub.getProcessed()).toBe(0);
    sub.unsubscribe();
  });
});

function isNoResponders(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof NoRespondersError) return true;
  }
  return false;
}
