import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kvm } from "@nats-io/kv";
import { createUser, type KeyPair } from "@nats-io/nkeys";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { helloReplySchema } from "@statecast/contract";
import {
  createRegistry,
  deviceCatalog,
  deviceStreamId,
  enrollmentCatalog,
  enrollmentTokenStreamId,
  eventStoreMigrations,
  migrate,
  PostgresEventStore,
  type RunningProcessor,
} from "@statecast/events";
import { freePort } from "@statecast/infra";
import {
  createOperatorSetup,
  credsConnectionOptions,
  credsText,
  deviceConnectionOptions,
  enrollmentConnectionOptions,
  GATEWAY_FILES,
  generateEnrollmentSecret,
  hashEnrollmentSecret,
  issueEnrollmentUser,
  issueServiceUser,
  type OperatorSetup,
  openDeviceBuckets,
  renderServerConfig,
  TARGETS_BUCKET,
  writeGatewaySetup,
} from "@statecast/nats-auth";
import { bootstrapApp, type RunningService } from "@statecast/platform";
import {
  createTestDatabase,
  startTestNats,
  type TestDatabase,
  type TestNats,
} from "@statecast/testing";
import pg from "pg";
import { AppModule } from "../app.module.js";
import { loadGatewayConfig } from "../config/gateway.config.js";
import { relayEvents } from "../testing/event-feed.test-helper.js";
import { untilViewCaughtUp } from "../testing/view-feed.test-helper.js";
import type { HelloReply } from "./enrollment-responder.js";

const meta = () => ({
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: "operator:alice" as const,
  now: new Date().toISOString(),
});

/**
 * The running gateway app (AppModule as main wires it, STATECAST_NATS_AUTH_DIR set to the
 * gateway's own setup: no operator root) on a nats-server with the generated operator config,
 * answering hellos that carry enrollment tokens and revoking credentials.
 */
describe("enrollment tokens through the running gateway (generated auth, real Postgres)", () => {
  let dir: string;
  let setup: OperatorSetup;
  let nats: TestNats;
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let gateway: RunningService;
  /** A second replica: hellos are shared through the queue group, token uses race for real. */
  let replica: RunningService;
  let relay: RunningProcessor;
  let relayConnection: NatsConnection;
  let enrolling: NatsConnection;
  let enrollmentCreds: string;
  let gatewayDir: string;
  /** The gateway directory's files as written, before the gateways ran. */
  let gatewayFiles: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "statecast-enroll-"));
    setup = await createOperatorSetup(join(dir, "nats-auth"));
    const port = await freePort();
    const configFile = join(dir, "nats.conf");
    const storeDir = join(dir, "jetstream");
    writeFileSync(
      configFile,
      renderServerConfig({ setup, port, storeDir, storeDirOnCommandLine: true }),
    );
    nats = await startTestNats({ configFile, storeDir, port });
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await migrate(db.url, eventStoreMigrations);
    store = new PostgresEventStore(pool, createRegistry(deviceCatalog, enrollmentCatalog));
    const gatewaySetup = await writeGatewaySetup(setup, join(dir, "gateway-auth"));
    gatewayDir = gatewaySetup.dir;
    gatewayFiles = filesIn(gatewayDir);
    const config = loadGatewayConfig({
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      NATS_CREDS: join(gatewaySetup.dir, GATEWAY_FILES.servicesCreds),
      STATECAST_NATS_AUTH_DIR: gatewaySetup.dir,
      STATECAST_DATA_DIR: join(dir, "data"),
      STATECAST_HTTP_PORT: String(await freePort()),
      STATECAST_LOG_LEVEL: "error",
    });
    gateway = await bootstrapApp(AppModule.register(config), { name: "device-gateway", config });
    const replicaConfig = { ...config, httpPort: await freePort() };
    replica = await bootstrapApp(AppModule.register(replicaConfig), {
      name: "device-gateway",
      config: replicaConfig,
    });
    // The orchestrator's relay, under the orchestrator's own user (the gateways' may not publish
    // events): what the gateways' view and revoker consume (SC_EVENTS).
    relayConnection = await connect({
      servers: nats.url,
      ...credsConnectionOptions(await issueServiceUser(setup, "orchestrator", "orchestrator")),
    });
    relay = await relayEvents(store, relayConnection);
    enrollmentCreds = (await issueEnrollmentUser(setup)).creds;
    enrolling = await connect({
      servers: nats.url,
      reconnect: false,
      ...enrollmentConnectionOptions(enrollmentCreds),
    });
  });
  afterAll(async () => {
    await enrolling?.close();
    await relay?.stop();
    await relayConnection?.close();
    await replica?.close();
    await gateway?.close();
    await nats?.dispose();
    await pool?.end();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** An EnrollmentTokenCreated as the orchestrator appends it; returns the secret. */
  async function aToken(
    options: { fleet?: string; maxUses?: number; expiresAt?: string } = {},
  ): Promise<{ tokenId: string; secret: string }> {
    const tokenId = randomUUID();
    const secret = generateEnrollmentSecret(tokenId);
    const data = {
      tokenId,
      fleet: options.fleet ?? "lab",
      secretHash: hashEnrollmentSecret(secret),
      tags: { ring: "canary" },
      ...(options.maxUses ? { maxUses: options.maxUses } : {}),
      ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
    };
    await store.append(
      enrollmentTokenStreamId(tokenId),
      [{ type: "EnrollmentTokenCreated", data, metadata: meta() }],
      { expectedVersion: "no_stream" },
    );
    await untilViewCaughtUp(pool); // the gateways decide on their view, fed over SC_EVENTS
    return { tokenId, secret };
  }

  const hello = async (body: Record<string, unknown>): Promise<HelloReply> => {
    const msg = await enrolling.request(
      `sc.dev.${String(body.deviceId)}.hello`,
      JSON.stringify(body),
      {
        timeout: 5_000,
      },
    );
    // Read as the agent reads it: every reply the gateway writes must be a hello reply.
    return helloReplySchema.parse(msg.json());
  };
  const aDevice = (deviceId: string, enrollmentToken?: string, fleet = "lab") => {
    const key = createUser();
    const body = {
      deviceId,
      publicKey: key.getPublicKey(),
      fleet,
      ...(enrollmentToken ? { enrollmentToken } : {}),
    };
    return { key, body };
  };
  const streamOf = async (streamId: string) => (await store.readStream(streamId)).events;
  const deviceTypes = async (deviceId: string) =>
    (await streamOf(deviceStreamId(deviceId))).map((e) => e.type);

  it("a valid token enrolls and approves the device: creds in the reply that read its own target", async () => {
    const { tokenId, secret } = await aToken();
    const { key, body } = aDevice("tok-a", secret);
    const reply = await hello(body);
    if (reply.status !== "enrolled") throw new Error(`expected creds: ${JSON.stringify(reply)}`);
    expect(JSON.stringify(reply)).not.toContain(secret);

    const events = await streamOf(deviceStreamId("tok-a"));
    expect(events.map((e) => [e.type, e.data])).toEqual([
      [
        "DeviceEnrolled",
        {
          deviceId: "tok-a",
          publicKey: key.getPublicKey(),
          fleet: "lab",
          tags: { ring: "canary" },
          enrolledWith: "token",
        },
      ],
      ["DeviceCredentialsIssued", { publicKey: key.getPublicKey() }],
    ]);
    const uses = await streamOf(enrollmentTokenStreamId(tokenId));
    expect(uses.map((e) => [e.type, e.data])).toEqual([
      ["EnrollmentTokenCreated", expect.objectContaining({ tokenId })],
      ["EnrollmentTokenUsed", { deviceId: "tok-a", publicKey: key.getPublicKey() }],
    ]);
    // The use is committed with the enrollment: one transaction, one correlation id.
    expect(uses[1]?.metadata.correlationId).toBe(events[0]?.metadata.correlationId);
    expect(uses[1]?.transactionId).toBe(events[0]?.transactionId);
    const all = JSON.stringify(await pool.query("SELECT data, metadata FROM events"));
    expect(all).not.toContain(secret);

    const service = await connect({
      servers: nats.url,
      ...credsConnectionOptions(await issueServiceUser(setup, "test")),
    });
    await (await new Kvm(service).open(TARGETS_BUCKET)).put("tok-a", "target of tok-a");
    await service.close();
    const device = await connectAs(reply.jwt, key, "tok-a");
    try {
      const { targets } = await openDeviceBuckets(device, "tok-a");
      expect((await targets.get("tok-a"))?.string()).toBe("target of tok-a");
    } finally {
      await device.close();
    }
    // Saying hello again: the same creds, no new event, no second use.
    expect(await hello(body)).toMatchObject({ status: "enrolled" });
    expect(await deviceTypes("tok-a")).toHaveLength(2);
    expect(await streamOf(enrollmentTokenStreamId(tokenId))).toHaveLength(2);
  });

  it("a valid token approves a device that is pending", async () => {
    const { secret } = await aToken();
    const { body } = aDevice("tok-pending");
    expect(await hello(body)).toEqual({ status: "pending" });
    expect(await hello({ ...body, enrollmentToken: secret })).toMatchObject({
      status: "enrolled",
    });
    expect(await deviceTypes("tok-pending")).toEqual([
      "DeviceEnrolled",
      "DeviceApproved",
      "DeviceCredentialsIssued",
    ]);
  });

  it("refuses a wrong, malformed, other-fleet, expired, revoked or used-up token with its reason and no event", async () => {
    const lab = await aToken();
    const prod = await aToken({ fleet: "prod" });
    const expired = await aToken({ expiresAt: new Date(Date.now() - 1_000).toISOString() });
    const revoked = await aToken();
    await store.append(
      enrollmentTokenStreamId(revoked.tokenId),
      [{ type: "EnrollmentTokenRevoked", data: { reason: "leaked" }, metadata: meta() }],
      { expectedVersion: 1 },
    );
    await untilViewCaughtUp(pool);
    const once = await aToken({ maxUses: 1 });
    expect(await hello(aDevice("tok-once-1", once.secret).body)).toMatchObject({
      status: "enrolled",
    });

    const cases: [string, string, RegExp][] = [
      ["tok-wrong", generateEnrollmentSecret(lab.tokenId), /^enrollment token not recognised$/],
      ["tok-unknown", generateEnrollmentSecret(randomUUID()), /^enrollment token not recognised$/],
      ["tok-malformed", "sct_an-api-token-is-not-an-enrollment-token", /not recognised/],
      ["tok-prod", prod.secret, /is for another fleet, not lab$/],
      ["tok-expired", expired.secret, /expired at/],
      ["tok-revoked", revoked.secret, /was revoked$/],
      ["tok-once-2", once.secret, /is used up \(1 of 1 uses\)$/],
    ];
    for (const [deviceId, secret, reason] of cases) {
      const reply = await hello(aDevice(deviceId, secret).body);
      expect(reply, deviceId).toMatchObject({ status: "refused", reason });
      expect(JSON.stringify(reply)).not.toContain(secret);
      expect(await deviceTypes(deviceId), deviceId).toEqual([]);
    }
    expect(await streamOf(enrollmentTokenStreamId(once.tokenId))).toHaveLength(2);
  });

  it("a token with maxUses 3 enrolls exactly 3 of 8 devices saying hello at once", async () => {
    const { tokenId, secret } = await aToken({ maxUses: 3 });
    const ids = Array.from({ length: 8 }, (_, i) => `tok-race-${i}`);
    const replies = await Promise.all(ids.map((id) => hello(aDevice(id, secret).body)));
    expect(replies.filter((r) => r.status === "enrolled")).toHaveLength(3);
    expect(replies.filter((r) => r.status === "refused")).toHaveLength(5);
    const uses = (await streamOf(enrollmentTokenStreamId(tokenId))).filter(
      (e) => e.type === "EnrollmentTokenUsed",
    );
    expect(uses).toHaveLength(3);
    const enrolled = await Promise.all(ids.map(async (id) => (await deviceTypes(id)).length > 0));
    expect(enrolled.filter(Boolean)).toHaveLength(3);
  });

  it("a batch of devices switched on together all enroll with one token (no 'try again' refusals)", async () => {
    const { tokenId, secret } = await aToken();
    const ids = Array.from({ length: 30 }, (_, i) => `tok-batch-${i}`);
    const replies = await Promise.all(ids.map((id) => hello(aDevice(id, secret).body)));
    expect(replies.map((r) => r.status)).toEqual(ids.map(() => "enrolled"));
    const uses = (await streamOf(enrollmentTokenStreamId(tokenId))).filter(
      (e) => e.type === "EnrollmentTokenUsed",
    );
    expect(uses).toHaveLength(30);
  });

  it("two running replicas answer each hello exactly once (queue group sc-enrollment)", async () => {
    const { secret } = await aToken();
    const replies = new Map<string, number>();
    const prefix = enrollmentConnectionOptions(enrollmentCreds).inboxPrefix ?? "";
    const sub = enrolling.subscribe(`${prefix}.once.>`, {
      callback: (_e, msg) => {
        replies.set(msg.subject, (replies.get(msg.subject) ?? 0) + 1);
      },
    });
    for (let i = 0; i < 20; i++) {
      const body = aDevice(`tok-q-${i}`, i % 2 === 0 ? secret : undefined).body;
      enrolling.publish(`sc.dev.tok-q-${i}.hello`, JSON.stringify(body), {
        reply: `${prefix}.once.${i}`,
      });
    }
    await until(() => replies.size === 20);
    await new Promise((r) => setTimeout(r, 500)); // room for a second answer, were there one
    sub.unsubscribe();
    expect([...replies.values()]).toEqual(Array(20).fill(1));
    for (let i = 0; i < 20; i++) {
      expect(await deviceTypes(`tok-q-${i}`)).toEqual(
        i % 2 === 0 ? ["DeviceEnrolled", "DeviceCredentialsIssued"] : ["DeviceEnrolled"],
      );
    }
  });

  it("the running gateway's revoker cuts a token-enrolled device on DeviceCredentialsRevoked", async () => {
    const { secret } = await aToken();
    const { key, body } = aDevice("tok-revoked-device", secret);
    const reply = await hello(body);
    if (reply.status !== "enrolled") throw new Error(`expected creds: ${JSON.stringify(reply)}`);
    const device = await connectAs(reply.jwt, key, "tok-revoked-device");
    const closed = device.closed();
    await store.append(
      deviceStreamId("tok-revoked-device"),
      [
        {
          type: "DeviceCredentialsRevoked",
          data: { publicKey: key.getPublicKey(), reason: "stolen" },
          metadata: meta(),
        },
      ],
      { expectedVersion: 2 },
    );
    await closed;
    await untilViewCaughtUp(pool);
    await expect(connectAs(reply.jwt, key, "tok-revoked-device")).rejects.toThrow(/authorization/i);
    // The token does not bring a revoked key back.
    expect(await hello(body)).toMatchObject({ status: "refused", reason: /revoked/ });
  });

  it("runs on the gateway's own setup: no operator root or account seed, and nothing written to it", () => {
    expect(Object.keys(gatewayFiles).sort()).toEqual([
      "claims-update.creds",
      "devices-account.jwt",
      "devices-signing.nk",
      "operator-signing.nk",
      "operator.jwt",
      "services-account.jwt",
      "services.creds",
      "system-account.jwt",
    ]);
    const rootSeed = readFileSync(join(setup.dir, "operator.nk"), "utf8").trim();
    expect(Object.values(gatewayFiles).some((text) => text.includes(rootSeed))).toBe(false);
    // Enrollment and the revocation above signed with these keys; the revocation lives in the
    // events and in the servers, not in the (read-only) directory.
    expect(filesIn(gatewayDir)).toEqual(gatewayFiles);
  });

  async function until(condition: () => boolean): Promise<void> {
    for (let waited = 0; !condition(); waited += 50) {
      if (waited > 10_000) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function connectAs(jwt: string, key: KeyPair, deviceId: string): Promise<NatsConnection> {
    return connect({
      servers: nats.url,
      reconnect: false,
      ...deviceConnectionOptions(credsText(jwt, key), deviceId),
    });
  }
});

function filesIn(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((file) => [file, readFileSync(join(dir, file), "utf8")]),
  );
}
