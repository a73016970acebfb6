import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createUser } from "@nats-io/nkeys";
import {
  createRegistry,
  deviceCatalog,
  deviceStreamId,
  eventStoreMigrations,
  migrate,
  PostgresEventStore,
} from "@statecast/events";
import { deviceRevocations, loadOperatorSetup } from "@statecast/nats-auth";
import { createTestDatabase, type TestDatabase } from "@statecast/testing";
import pg from "pg";
import {
  type SecuredNats,
  startSecuredNats,
} from "../../../../libs/nats-auth/src/secured-nats.test-helper.js";
import { CredentialRevoker } from "./credential-revoker.js";

const meta = {
  correlationId: "t",
  causationId: "t",
  actor: "operator:alice",
  now: new Date().toISOString(),
} as const;

/** The revocation list is rebuilt from the events: a setup restored from before a revocation gets it back. */
describe("revocation list rebuilt from the event history", () => {
  let env: SecuredNats;
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    env = await startSecuredNats();
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await migrate(pool, eventStoreMigrations);
    store = new PostgresEventStore(pool, createRegistry(deviceCatalog));
  });
  afterAll(async () => {
    await env?.dispose();
    await pool?.end();
    await db?.drop();
  });

  it("restores a revocation the processor already passed, after the setup lost it", async () => {
    const jwtFile = join(env.setup.dir, "devices-account.jwt");
    const backup = `${jwtFile}.backup`;
    copyFileSync(jwtFile, backup); // the setup as it was before the revocation
    const key = createUser().getPublicKey();
    await store.append(
      deviceStreamId("dev-r"),
      [
        {
          type: "DeviceCredentialsRevoked",
          data: { publicKey: key, reason: "stolen" },
          metadata: meta,
        },
      ],
      { expectedVersion: "any" },
    );
    const first = new CredentialRevoker(store, env.setup, {
      servers: env.nats.url,
      pollIntervalMs: 50,
    });
    await first.start();
    await until(() => key in deviceRevocations(loadOperatorSetup(env.setup.dir)));
    await first.stop();

    copyFileSync(backup, jwtFile); // restored from the backup: the revocation is gone
    expect(key in deviceRevocations(loadOperatorSetup(env.setup.dir))).toBe(false);
    const second = new CredentialRevoker(store, env.setup, {
      servers: env.nats.url,
      pollIntervalMs: 50,
    });
    await second.start();
    try {
      expect(key in deviceRevocations(loadOperatorSetup(env.setup.dir))).toBe(true);
      expect(readFileSync(jwtFile, "utf8")).not.toBe(readFileSync(backup, "utf8"));
    } finally {
      await second.stop();
    }
  });
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
