import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  createRegistry,
  deviceCatalog,
  deviceStreamId,
  eventStoreMigrations,
  migrate,
  PostgresEventStore,
} from "@statecast/events";
import {
  credsConnectionOptions,
  deviceConnectionOptions,
  deviceRevocations,
  type GatewaySetup,
  issueDeviceUser,
  issueServiceUser,
  writeGatewaySetup,
} from "@statecast/nats-auth";
import { createTestDatabase, type TestDatabase } from "@statecast/testing";
import pg from "pg";
import {
  type SecuredNats,
  startSecuredNats,
} from "../../../../libs/nats-auth/src/secured-nats.test-helper.js";
import { type FedView, feedView } from "../testing/view-feed.test-helper.js";
import { CredentialRevoker, REVOCATIONS_BUCKET } from "./credential-revoker.js";

const meta = {
  correlationId: "t",
  causationId: "t",
  actor: "operator:alice",
  now: new Date().toISOString(),
} as const;

/**
 * The events are the record of the revocation list: a gateway (whose setup directory is read-only
 * and has no operator root) fills an empty list from its view of the history (kept in its own
 * table from SC_EVENTS), signs the DEVICES JWT with every revocation in it and pushes it.
 */
describe("revocation list rebuilt from the event history", () => {
  let env: SecuredNats;
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let gateway: GatewaySetup;
  let fed: FedView;

  beforeAll(async () => {
    env = await startSecuredNats();
    gateway = await writeGatewaySetup(env.setup, join(env.setup.dir, "..", "gateway"));
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await migrate(db.url, eventStoreMigrations);
    store = new PostgresEventStore(pool, createRegistry(deviceCatalog));
    fed = await feedView(db.url, store, env.service);
  });
  afterAll(async () => {
    await fed?.close();
    await env?.dispose();
    await pool?.end();
    await db?.drop();
  });

  const connectDevice = (creds: string, deviceId: string): Promise<NatsConnection> =>
    connect({
      servers: env.nats.url,
      reconnect: false,
      ...deviceConnectionOptions(creds, deviceId),
    });

  it("a server restarted from a config without the revocation gets it back from the gateway", async () => {
    const { creds, publicKey } = await issueDeviceUser(gateway, "dev-r");
    await (await connectDevice(creds!, "dev-r")).close();
    await store.append(
      deviceStreamId("dev-r"),
      [{ type: "DeviceCredentialsRevoked", data: { publicKey, reason: "stolen" }, metadata: meta }],
      { expectedVersion: "any" },
    );
    await fed.caughtUp();
    const list = (nc: NatsConnection) =>
      new Kvm(jetstream(nc)).create(REVOCATIONS_BUCKET, { history: 1 });
    const first = new CredentialRevoker(fed.view, await list(env.service), gateway, {
      servers: env.nats.url,
    });
    await first.start();
    expect(publicKey in deviceRevocations(first.current)).toBe(true);
    await expect(connectDevice(creds!, "dev-r")).rejects.toThrow(/authorization/i);
    // The operator's setup (what the server config is rendered from) never saw the revocation.
    expect(publicKey in deviceRevocations(env.setup)).toBe(false);
    // Restarted with its JetStream gone too: the list is filled from the record again.
    await env.restart();
    const service = await connect({
      servers: env.nats.url,
      ...credsConnectionOptions(await issueServiceUser(env.setup, "restarted-gateway")),
    });
    try {
      const second = new CredentialRevoker(fed.view, await list(service), gateway, {
        servers: env.nats.url,
      });
      await second.start();
      expect(await second.rebuild()).toBe(1);
      await expect(connectDevice(creds!, "dev-r")).rejects.toThrow(/authorization/i);
    } finally {
      await service.close();
    }
  });
});
