import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import { connect } from "@nats-io/transport-node";
import { targetChangedSubject } from "@statecast/contract";
import {
  createRegistry,
  deviceCatalog,
  deviceStreamId,
  enrollmentCatalog,
  enrollmentTokenStreamId,
  eventStoreMigrations,
  migrate,
  PostgresEventStore,
} from "@statecast/events";
import {
  deviceConnectionOptions,
  generateEnrollmentSecret,
  hashEnrollmentSecret,
  issueEnrollmentUser,
  OBJECTS_BUCKET,
  TARGETS_BUCKET,
} from "@statecast/nats-auth";
import { createTestDatabase, type TestDatabase } from "@statecast/testing";
import pg from "pg";
import { EnrollmentResponder } from "../../../device-gateway/src/enrollment/enrollment-responder.js";
import type { ObjectAccess } from "../../../device-gateway/src/objects/object-access.js";
import { ObjectResponder } from "../../../device-gateway/src/objects/object-responder.js";
import {
  type FedView,
  feedView,
} from "../../../device-gateway/src/testing/view-feed.test-helper.js";
import { credsLifetime } from "../enroll/identity.js";
import { SimRuntime } from "../runtime/sim-runtime.js";
import { agentBundle } from "../testing/agent-process.test-helper.js";
import { runConnectedAgent, waitForStatus } from "../testing/connected-run.test-helper.js";
import { INIT } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";
import { type SecuredNats, startSecuredNats } from "../testing/secured-nats.test-helper.js";

const LIFETIME_MS = 2_000;
const meta = () => ({
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: "operator:alice" as const,
  now: new Date().toISOString(),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Device JWTs that expire (2 s here), renewed by the real agent through its own hello. */
describe("device credentials expire and the agent renews them while it is allowed", () => {
  let env: SecuredNats;
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let responder: EnrollmentResponder;
  let objects: ObjectResponder;
  let fed: FedView;
  let dir: string;
  let agentJs: string;

  beforeAll(async () => {
    env = await startSecuredNats();
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await migrate(db.url, eventStoreMigrations);
    store = new PostgresEventStore(pool, createRegistry(deviceCatalog, enrollmentCatalog));
    // The gateway's view of the record, fed over SC_EVENTS as in the gateway.
    fed = await feedView(db.url, store, env.service);
    responder = new EnrollmentResponder(env.service, store, fed.view, env.setup, undefined, {
      credentialsLifetimeMs: LIFETIME_MS,
    });
    responder.start();
    const allowAll = { refusal: async () => undefined } as unknown as ObjectAccess;
    const objectStore = await new Objm(jetstream(env.service)).open(OBJECTS_BUCKET);
    objects = new ObjectResponder(
      env.service,
      await jetstreamManager(env.service),
      objectStore,
      allowAll,
    );
    objects.start();
    await env.service.flush();
    dir = mkdtempSync("/tmp/sc-agent-renew-");
    agentJs = await agentBundle(dir);
  });
  afterAll(async () => {
    await objects?.stop();
    await responder?.stop();
    await fed?.close();
    await env?.dispose();
    await pool?.end();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps working past several expiries; once decommissioned it cannot renew and is cut off", async () => {
    const device = new DeviceUnderTest({}, (d) => new SimRuntime(join(d, "sim")));
    const credsFile = join(device.storeDir, "device.creds");
    try {
      const tokenId = randomUUID();
      const secret = generateEnrollmentSecret(tokenId);
      const created = { tokenId, fleet: "lab", secretHash: hashEnrollmentSecret(secret), tags: {} };
      await store.append(
        enrollmentTokenStreamId(tokenId),
        [{ type: "EnrollmentTokenCreated", data: created, metadata: meta() }],
        { expectedVersion: "no_stream" },
      );
      await fed.caughtUp();
      const tokenFile = join(device.dir, "token");
      writeFileSync(tokenFile, `${secret}\n`, { mode: 0o600 });
      const enrollmentCreds = join(device.dir, "enrollment.creds");
      writeFileSync(enrollmentCreds, (await issueEnrollmentUser(env.setup)).creds);
      const js = jetstream(env.service);
      const targets = await new Kvm(js).open(TARGETS_BUCKET);
      const store2 = await new Objm(js).open(OBJECTS_BUCKET);
      const publish = async (name: string) => {
        const { state, digest } = device.states.build([
          { name, group: "root", init: INIT.started },
        ]);
        for (const object of readdirSync(device.states.objectsDir))
          await store2.putBlob(
            { name: object },
            readFileSync(join(device.states.objectsDir, object)),
          );
        const target = device.target(state, digest);
        const revision = await targets.put(device.deviceId, JSON.stringify(target));
        env.service.publish(targetChangedSubject(device.deviceId), `${revision}`);
        return target.revision;
      };

      const initial = await publish("net");
      const child = runConnectedAgent(env, agentJs, device, [
        ...["--enrollment-creds", enrollmentCreds, "--fleet", "lab"],
        ...["--enrollment-token-file", tokenFile],
      ]);
      try {
        while (!existsSync(credsFile)) await sleep(20);
        const first = readFileSync(credsFile, "utf8");
        await waitForStatus(env, device.deviceId, "DONE", (r) => r.revision === initial);
        const firstExpiry = credsLifetime(first).expiresAt;
        expect(firstExpiry).toBeDefined();
        expect(firstExpiry! - credsLifetime(first).issuedAt).toBe(LIFETIME_MS);

        // Past two lifetimes of the first JWT: renewed (new JWTs stored), still connected.
        await sleep(firstExpiry! - Date.now() + LIFETIME_MS);
        const renewed = readFileSync(credsFile, "utf8");
        expect(renewed).not.toBe(first);
        expect(credsLifetime(renewed).expiresAt).toBeGreaterThan(Date.now());
        const revision = await publish("app");
        await waitForStatus(env, device.deviceId, "DONE", (r) => r.revision === revision);
        // Through every reconnect of its renewals it followed its key with no consumer (issue 16).
        const watching = await (await jetstreamManager(env.service)).consumers
          .list("KV_sc_targets")
          .next();
        expect(watching.map((c) => c.name)).toEqual([]);

        // Decommissioned (its revocation not pushed): the next renewal is refused, the JWT runs out.
        const { version } = await store.readStream(deviceStreamId(device.deviceId));
        await store.append(
          deviceStreamId(device.deviceId),
          [{ type: "DeviceDecommissioned", data: { reason: "retired" }, metadata: meta() }],
          { expectedVersion: version },
        );
        await sleep(LIFETIME_MS + 1_500);
        expect(child.output().stderr).toContain(
          `device credentials renewal refused; they will expire`,
        );
        expect(child.output().stderr).toContain(`device ${device.deviceId} is decommissioned`);
        const last = readFileSync(credsFile, "utf8");
        expect(credsLifetime(last).expiresAt).toBeLessThan(Date.now());
        await expect(
          connect({
            servers: env.nats.url,
            reconnect: false,
            ...deviceConnectionOptions(last, device.deviceId),
          }),
        ).rejects.toThrow(/expired|authorization/i);
      } finally {
        child.kill("SIGTERM");
        await child.done;
      }
    } finally {
      await device.dispose();
    }
  });
});
