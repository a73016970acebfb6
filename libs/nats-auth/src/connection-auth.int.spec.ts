import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createAccount, createUser, encodeUser } from "@nats-io/jwt";
import {
  AuthorizationError,
  type ConnectionOptions,
  connect,
  jwtAuthenticator,
} from "@nats-io/transport-node";
import {
  createOperatorSetup,
  credsText,
  deviceConnectionOptions,
  devicePermissions,
  issueDeviceUser,
} from "./index.js";
import { type SecuredNats, startSecuredNats } from "./secured-nats.test-helper.js";

describe("who may connect to the generated nats-server", () => {
  let env: SecuredNats;
  const scratch = mkdtempSync(join(tmpdir(), "statecast-nats-auth-other-"));

  beforeAll(async () => {
    env = await startSecuredNats();
  });
  afterAll(async () => {
    await env?.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  const refused = async (options: Partial<ConnectionOptions>) => {
    const attempt = connect({ servers: env.nats.url, reconnect: false, ...options });
    await expect(attempt).rejects.toBeInstanceOf(AuthorizationError);
  };

  it("lets a device with its issued credentials in", async () => {
    const { creds } = await issueDeviceUser(env.setup, "dev-ok");
    const nc = await connect({
      servers: env.nats.url,
      ...deviceConnectionOptions(creds!, "dev-ok"),
    });
    await nc.close();
  });

  it("refuses a client without credentials, with a user/password, or with an API token", async () => {
    await refused({});
    await refused({ user: "admin", pass: "admin" });
    await refused({ token: "sc_operator_3f9a1c0d2e4b5a6978c1d2e3f4a5b6c7" });
  });

  it("refuses a device whose JWT comes from another operator's setup", async () => {
    const other = await createOperatorSetup(join(scratch, "other"));
    const { creds } = await issueDeviceUser(other, "dev-x");
    await refused(deviceConnectionOptions(creds!, "dev-x"));
  });

  it("refuses a JWT naming our account but signed by a key the account does not list", async () => {
    const user = createUser();
    const jwt = await encodeUser(
      "device:dev-forged",
      user,
      env.setup.devicesAccount.publicKey,
      devicePermissions("dev-forged"),
      {
        signer: createAccount(),
      },
    );
    await refused(deviceConnectionOptions(credsText(jwt, user), "dev-forged"));
  });

  it("refuses a device JWT presented as a bearer token (no proof of the key)", async () => {
    const { jwt } = await issueDeviceUser(env.setup, "dev-bearer");
    await refused({ authenticator: jwtAuthenticator(jwt) });
  });
});
