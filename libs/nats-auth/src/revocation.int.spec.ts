import { createUser } from "@nats-io/jwt";
import { AuthorizationError, connect, delay } from "@nats-io/transport-node";
import {
  credsConnectionOptions,
  credsText,
  deviceConnectionOptions,
  issueClaimsUpdateUser,
  issueDeviceUser,
  loadOperatorSetup,
  revokeDevice,
} from "./index.js";
import {
  connectDevice,
  permissionDenial,
  type SecuredNats,
  startSecuredNats,
} from "./secured-nats.test-helper.js";

describe("revoking a device at runtime", () => {
  let env: SecuredNats;

  beforeAll(async () => {
    env = await startSecuredNats();
  });
  afterAll(async () => {
    await env?.dispose();
  });

  it("closes the device's open connection, refuses it afterwards, and leaves other devices alone", async () => {
    const key = createUser();
    const issued = await issueDeviceUser(env.setup, "dev-r", key.getPublicKey());
    const creds = credsText(issued.jwt, key);
    const revoked = await connect({
      servers: env.nats.url,
      reconnect: false,
      ...deviceConnectionOptions(creds, "dev-r"),
    });
    const bystander = await connectDevice(env, "dev-s");

    await revokeDevice(env.setup, issued.publicKey, { servers: env.nats.url });

    await revoked.closed(); // the server dropped it; it does not come back
    expect(revoked.isClosed()).toBe(true);
    const again = connect({
      servers: env.nats.url,
      reconnect: false,
      ...deviceConnectionOptions(creds, "dev-r"),
    });
    await expect(again).rejects.toBeInstanceOf(AuthorizationError);
    expect(bystander.isClosed()).toBe(false);
    await bystander.flush();
    await bystander.close();
  });

  it("keeps the revocation in the setup dir, so a restarted server still refuses the device", async () => {
    const { creds, publicKey } = await issueDeviceUser(env.setup, "dev-t");
    await revokeDevice(loadOperatorSetup(env.setup.dir), publicKey);
    await env.restart();
    const attempt = connect({
      servers: env.nats.url,
      reconnect: false,
      ...deviceConnectionOptions(creds!, "dev-t"),
    });
    await expect(attempt).rejects.toBeInstanceOf(AuthorizationError);
  });

  it("accepts credentials issued to the same key after the revocation (re-enrollment)", async () => {
    const key = createUser();
    const connectWith = (jwt: string) =>
      connect({
        servers: env.nats.url,
        reconnect: false,
        ...deviceConnectionOptions(credsText(jwt, key), "dev-u"),
      });
    const first = await issueDeviceUser(env.setup, "dev-u", key.getPublicKey());
    const revokedAt = new Date();
    const setup = await revokeDevice(env.setup, first.publicKey, {
      servers: env.nats.url,
      at: revokedAt,
    });
    // JWT issue times are whole seconds: the new one must be issued after the revoked second.
    await delay(1_000 - (revokedAt.getTime() % 1_000) + 50);
    const second = await issueDeviceUser(setup, "dev-u", key.getPublicKey());

    await expect(connectWith(first.jwt)).rejects.toBeInstanceOf(AuthorizationError);
    const nc = await connectWith(second.jwt);
    await nc.close();
  });

  it("gives the gateway a system user that may push account JWTs and make no other $SYS request", async () => {
    const nc = await connect({
      servers: env.nats.url,
      reconnect: false,
      ...credsConnectionOptions(await issueClaimsUpdateUser(env.setup)),
    });
    try {
      const denial = await permissionDenial(
        nc.request("$SYS.REQ.SERVER.PING.CONNZ", "", { timeout: 2_000 }),
      );
      expect(denial.subject).toBe("$SYS.REQ.SERVER.PING.CONNZ");
      const reply = await nc.request("$SYS.REQ.CLAIMS.UPDATE", env.setup.devicesAccount.jwt, {
        timeout: 5_000,
      });
      expect(reply.json<{ data?: { code?: number } }>().data?.code).toBe(200);
    } finally {
      await nc.close();
    }
  });
});
