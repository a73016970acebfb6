import { createHash } from "node:crypto";
import { jetstream } from "@nats-io/jetstream";
import { createUser, encodeUser, type Permissions } from "@nats-io/jwt";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  credsText,
  DEVICE_JS_API_PREFIX,
  deviceConnectionOptions,
  deviceInboxPrefix,
  LEGACY_OBJECT_REFUSAL,
  LEGACY_OBJECT_REFUSAL_SUBJECT,
  legacyObjectRead,
  OBJECTS_BUCKET,
  OBJECTS_STREAM,
  openDeviceBuckets,
  pushAccountJwt,
  setLegacyObjectRead,
  TARGETS_BUCKET,
  TARGETS_STREAM,
} from "./index.js";
import { loadOperatorSetup, setupKeys } from "./operator-setup.js";
import {
  connectDevice,
  permissionDenial,
  type SecuredNats,
  startSecuredNats,
} from "./secured-nats.test-helper.js";

/**
 * The user permissions the gateway issued before object access moved to it (git show
 * a48ecc9^:libs/nats-auth/src/device-permissions.ts): devices in the field still hold such JWTs,
 * which never expire, and their agent reads objects with them.
 */
function previousReleasePermissions(deviceId: string): Permissions {
  const key = `$KV.${TARGETS_BUCKET}.${deviceId}`;
  const api = DEVICE_JS_API_PREFIX;
  return {
    pub: {
      allow: [
        `sc.dev.${deviceId}.status`,
        `sc.dev.${deviceId}.hello`,
        `${api}.DIRECT.GET.${TARGETS_STREAM}.${key}`,
        `${api}.CONSUMER.CREATE.${TARGETS_STREAM}.*.${key}`,
        `${api}.STREAM.MSG.GET.${OBJECTS_STREAM}`,
        `${api}.CONSUMER.CREATE.${OBJECTS_STREAM}.*.$O.${OBJECTS_BUCKET}.C.*`,
        `$JS.FC.${TARGETS_STREAM}.>`,
        `$JS.FC.${OBJECTS_STREAM}.>`,
      ],
      deny: [],
    },
    sub: { allow: [`${deviceInboxPrefix(deviceId)}.>`], deny: [] },
  };
}

const REFUSED = /this agent reads sc_objects itself.*STATECAST_LEGACY_OBJECT_READ=on/;
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("previous-release agents reading sc_objects themselves (STATECAST_LEGACY_OBJECT_READ)", () => {
  let env: SecuredNats;
  let oldAgent: NatsConnection;
  let newAgent: NatsConnection;
  const content = new Uint8Array(300_000).map((_, i) => (i * 7) % 251);
  const name = sha256(content);

  beforeAll(async () => {
    env = await startSecuredNats();
    await (await new Objm(jetstream(env.service)).open(OBJECTS_BUCKET)).putBlob({ name }, content);
    const user = createUser();
    const jwt = await encodeUser(
      "device:dev-old",
      user,
      env.setup.devicesAccount.publicKey,
      { ...previousReleasePermissions("dev-old"), bearer_token: false },
      { signer: setupKeys(env.setup).devicesSigning },
    );
    oldAgent = await connect({
      servers: env.nats.url,
      ...deviceConnectionOptions(credsText(jwt, user), "dev-old"),
    });
    newAgent = await connectDevice(env, "dev-new");
    // What the gateway's object responder answers there (apps/device-gateway ObjectResponder).
    env.service.subscribe(LEGACY_OBJECT_REFUSAL_SUBJECT, {
      callback: (_error, msg) => {
        msg.respond(LEGACY_OBJECT_REFUSAL);
      },
    });
    await env.service.flush();
  });
  afterAll(async () => {
    await oldAgent?.close();
    await newAgent?.close();
    await env?.dispose();
  });

  /** What the previous agent did: object info by message get, chunks through a consumer. */
  const fetchTheOldWay = async (nc: NatsConnection, deviceId: string) => {
    const { objects } = await openDeviceBuckets(nc, deviceId);
    return objects.getBlob(name);
  };

  it("is off by default: the previous agent's read is refused with what to do", async () => {
    expect(legacyObjectRead(env.setup)).toBe(false);
    await expect(fetchTheOldWay(oldAgent, "dev-old")).rejects.toThrow(REFUSED);
  });

  it("on: the previous agent fetches whole objects again; a current agent's JWT still cannot", async () => {
    const on = await setLegacyObjectRead(env.setup, true);
    expect(legacyObjectRead(on)).toBe(true);
    await pushAccountJwt(on, env.nats.url, { services: true });
    const blob = await fetchTheOldWay(oldAgent, "dev-old");
    expect(blob?.length).toBe(content.length);
    expect(sha256(blob!)).toBe(name); // deep-equal on 300 kB is needlessly slow
    await permissionDenial(fetchTheOldWay(newAgent, "dev-new"));
  });

  it("survives revocations, and turning it off refuses the previous agent again", async () => {
    const { revokeDevice } = await import("./revocation.js");
    const revoked = await revokeDevice(
      loadOperatorSetup(env.setup.dir),
      createUser().getPublicKey(),
    );
    expect(legacyObjectRead(revoked)).toBe(true);
    const off = await setLegacyObjectRead(revoked, false);
    await pushAccountJwt(off, env.nats.url);
    await expect(fetchTheOldWay(oldAgent, "dev-old")).rejects.toThrow(REFUSED);
  });
});
