import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { decode } from "@nats-io/jwt";
import { Kvm } from "@nats-io/kv";
import { createUser, type KeyPair } from "@nats-io/nkeys";
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import {
  FIXED_TARGET_WATCH,
  helloReplySchema,
  RENEWS_CREDENTIALS_HEADER,
  TARGET_WATCH_HEADER,
} from "@statecast/contract";
import {
  createRegistry,
  deviceCatalog,
  deviceStreamId,
  eventStoreMigrations,
  migrate,
  type NewEvent,
  PostgresEventStore,
} from "@statecast/events";
import {
  credsConnectionOptions,
  credsText,
  deviceConnectionOptions,
  issueEnrollmentUser,
  openDeviceBuckets,
  TARGETS_BUCKET,
  writeGatewaySetup,
} from "@statecast/nats-auth";
import { createTestDatabase, type TestDatabase } from "@statecast/testing";
import pg from "pg";
import {
  type SecuredNats,
  startSecuredNats,
} from "../../../../libs/nats-auth/src/secured-nats.test-helper.js";
import { feedRevoker } from "../testing/event-feed.test-helper.js";
import { type FedView, feedView } from "../testing/view-feed.test-helper.js";
import { CredentialRevoker, REVOCATIONS_BUCKET } from "./credential-revoker.js";
import {
  DEFAULT_CREDENTIALS_LIFETIME_MS,
  EnrollmentResponder,
  type HelloReply,
} from "./enrollment-responder.js";

const meta = {
  correlationId: "test",
  causationId: "test",
  actor: "operator:alice",
  now: new Date().toISOString(),
} as const;

describe("enrollment through sc.dev.<id>.hello (generated auth, real Postgres)", () => {
  let env: SecuredNats;
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let responder: EnrollmentResponder;
  let revoker: CredentialRevoker;
  let feed: { close(): Promise<void> };
  let fed: FedView;
  let enrolling: NatsConnection;
  let gateway: Awaited<ReturnType<typeof writeGatewaySetup>>;

  beforeAll(async () => {
    env = await startSecuredNats();
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await migrate(db.url, eventStoreMigrations);
    store = new PostgresEventStore(pool, createRegistry(deviceCatalog));
    // The gateway's own setup (no operator root), as STATECAST_NATS_AUTH_DIR gives it.
    gateway = await writeGatewaySetup(env.setup, join(env.setup.dir, "..", "gateway"));
    // The gateway's view, fed from SC_EVENTS (the relay runs in feedRevoker).
    fed = await feedView(db.url, store, env.service, { relay: false });
    responder = new EnrollmentResponder(env.service, store, fed.view, gateway);
    responder.start();
    const revocations = await new Kvm(jetstream(env.service)).create(REVOCATIONS_BUCKET);
    revoker = new CredentialRevoker(fed.view, revocations, gateway, { servers: env.nats.url });
    await revoker.start();
    // Revocations reach the revoker as in the gateway: relayed to SC_EVENTS, consumed from there.
    feed = await feedRevoker(store, env.service, revoker);
    await env.service.flush();
    const { creds, inboxPrefix } = await issueEnrollmentUser(env.setup);
    enrolling = await connect({
      servers: env.nats.url,
      reconnect: false,
      inboxPrefix,
      ...credsConnectionOptions(creds),
    });
  });
  afterAll(async () => {
    await enrolling?.close();
    await responder?.stop();
    await fed?.close();
    await feed?.close();
    await env?.dispose();
    await pool?.end();
    await db?.drop();
  });

  const hello = async (body: Record<string, unknown>): Promise<HelloReply> => {
    const subject = `sc.dev.${String(body.deviceId)}.hello`;
    const msg = await enrolling.request(subject, JSON.stringify(body), { timeout: 5_000 });
    // Read as the agent reads it: every reply the gateway writes must be a hello reply.
    return helloReplySchema.parse(msg.json());
  };
  const types = async (deviceId: string) =>
    (await store.readStream(deviceStreamId(deviceId))).events.map((e) => e.type);
  /** What the orchestrator appends, once it reached the gateway's view over SC_EVENTS. */
  const operatorAppends = async (
    deviceId: string,
    version: number,
    event: Omit<NewEvent, "metadata">,
  ) => {
    await store.append(deviceStreamId(deviceId), [{ ...event, metadata: meta }], {
      expectedVersion: version,
    });
    await fed.caughtUp();
  };

  it("no token → pending → operator approves → creds that read the device's own target", async () => {
    const key = createUser();
    const body = { deviceId: "dev-a", publicKey: key.getPublicKey(), fleet: "fleet" };
    expect(await hello(body)).toEqual({ status: "pending" });
    expect(await hello(body)).toEqual({ status: "pending" });
    expect(await types("dev-a")).toEqual(["DeviceEnrolled"]);

    await operatorAppends("dev-a", 1, { type: "DeviceApproved", data: { by: "operator:alice" } });
    const reply = await hello(body);
    if (reply.status !== "enrolled")
      throw new Error(`expected creds, got ${JSON.stringify(reply)}`);
    expect(reply.jwt).not.toContain(new TextDecoder().decode(key.getSeed()));
    const issued = (await store.readStream(deviceStreamId("dev-a"))).events.at(-1);
    expect(issued?.type).toBe("DeviceCredentialsIssued");
    expect(issued?.data).toEqual({ publicKey: key.getPublicKey() });

    const kv = await new Kvm(env.service).open(TARGETS_BUCKET);
    await kv.put("dev-a", "target of dev-a");
    const device = await connectWith(reply.jwt, key, "dev-a");
    try {
      const { targets } = await openDeviceBuckets(device, "dev-a");
      expect((await targets.get("dev-a"))?.string()).toBe("target of dev-a");
    } finally {
      await device.close();
    }
    expect(await hello(body)).toMatchObject({ status: "enrolled" });
    expect(await types("dev-a")).toEqual([
      "DeviceEnrolled",
      "DeviceApproved",
      "DeviceCredentialsIssued",
    ]);
  });

  it("refuses a different public key for an enrolled id, with no event", async () => {
    const body = { deviceId: "dev-b", publicKey: createUser().getPublicKey(), fleet: "fleet" };
    await hello(body);
    const other = { ...body, publicKey: createUser().getPublicKey() };
    const reply = await hello(other);
    expect(reply).toEqual({
      status: "refused",
      reason: "device dev-b is enrolled with another key",
    });
    expect(await types("dev-b")).toEqual(["DeviceEnrolled"]);
  });

  it("DeviceCredentialsRevoked cuts the device's connection, and it cannot reconnect or re-enroll", async () => {
    const key = createUser();
    const body = { deviceId: "dev-c", publicKey: key.getPublicKey(), fleet: "fleet" };
    await hello(body);
    await operatorAppends("dev-c", 1, { type: "DeviceApproved", data: { by: "operator:alice" } });
    const reply = await hello(body);
    if (reply.status !== "enrolled")
      throw new Error(`expected creds, got ${JSON.stringify(reply)}`);
    const device = await connectWith(reply.jwt, key, "dev-c");
    const closed = device.closed();

    await operatorAppends("dev-c", 3, {
      type: "DeviceCredentialsRevoked",
      data: { publicKey: key.getPublicKey(), reason: "stolen" },
    });
    await closed;
    await expect(connectWith(reply.jwt, key, "dev-c")).rejects.toThrow(/authorization/i);
    expect(await hello(body)).toMatchObject({
      status: "refused",
      reason: expect.stringMatching(/revoked/),
    });
  });

  it("an operator's re-key cuts the old key; the new key is pending until that key is approved", async () => {
    const oldKey = createUser();
    const body = { deviceId: "dev-k", publicKey: oldKey.getPublicKey(), fleet: "fleet" };
    await hello(body);
    await operatorAppends("dev-k", 1, { type: "DeviceApproved", data: { by: "operator:alice" } });
    const reply = await hello(body);
    if (reply.status !== "enrolled")
      throw new Error(`expected creds, got ${JSON.stringify(reply)}`);
    const device = await connectWith(reply.jwt, oldKey, "dev-k");
    const closed = device.closed();
    // What POST /v1/devices/dev-k/rekey appends.
    await store.append(
      deviceStreamId("dev-k"),
      [
        {
          type: "DeviceCredentialsRevoked",
          data: { publicKey: oldKey.getPublicKey(), reason: "re-keyed: new board" },
          metadata: meta,
        },
        {
          type: "DeviceRekeyed",
          data: { previousKey: oldKey.getPublicKey(), reason: "new board" },
          metadata: meta,
        },
      ],
      { expectedVersion: 3 },
    );
    await closed;
    await fed.caughtUp();
    expect(await hello(body)).toMatchObject({ status: "refused", reason: /revoked/ });

    const newKey = createUser();
    const renewed = { ...body, publicKey: newKey.getPublicKey() };
    expect(await hello(renewed)).toEqual({ status: "pending" });
    expect(await hello(renewed)).toEqual({ status: "pending" });
    const events = (await store.readStream(deviceStreamId("dev-k"))).events;
    expect(events.at(-1)).toMatchObject({
      type: "DeviceKeyPresented",
      data: { publicKey: newKey.getPublicKey() },
      metadata: { actor: "device:dev-k" },
    });
    await operatorAppends("dev-k", events.length, {
      type: "DeviceApproved",
      data: { by: "operator:alice", publicKey: newKey.getPublicKey() },
    });
    const issued = await hello(renewed);
    if (issued.status !== "enrolled")
      throw new Error(`expected creds, got ${JSON.stringify(issued)}`);
    await (await connectWith(issued.jwt, newKey, "dev-k")).close();
  });

  it("a hello that says the agent renews gets an expiring JWT; an earlier agent's hello does not", async () => {
    const key = createUser();
    const body = { deviceId: "dev-x", publicKey: key.getPublicKey(), fleet: "fleet" };
    await hello(body);
    await operatorAppends("dev-x", 1, { type: "DeviceApproved", data: { by: "operator:alice" } });
    const claims = (reply: HelloReply) => {
      if (reply.status !== "enrolled")
        throw new Error(`expected creds, got ${JSON.stringify(reply)}`);
      return decode<unknown>(reply.jwt);
    };
    expect(claims(await hello(body)).exp).toBeUndefined();
    const renews = headers();
    renews.set(RENEWS_CREDENTIALS_HEADER, "1");
    const msg = await enrolling.request("sc.dev.dev-x.hello", JSON.stringify(body), {
      timeout: 5_000,
      headers: renews,
    });
    const { iat, exp } = claims(helloReplySchema.parse(msg.json()));
    expect(exp! - iat).toBe(DEFAULT_CREDENTIALS_LIFETIME_MS / 1000);
  });

  it("bounds a key's target watch once its agent announces the fixed consumer (legacy target watch: auto, on, off)", async () => {
    const fixedFor = (id: string) =>
      `$JS.services.API.CONSUMER.CREATE.KV_sc_targets.sc_target_watch_${id}.$KV.sc_targets.${id}`;
    const legacyFor = (id: string) => [
      `$JS.services.API.CONSUMER.CREATE.KV_sc_targets.*.$KV.sc_targets.${id}`,
      "$JS.FC.KV_sc_targets.>",
    ];
    const approvedDevice = async (id: string) => {
      const body = { deviceId: id, publicKey: createUser().getPublicKey(), fleet: "fleet" };
      await hello(body);
      await operatorAppends(id, 1, { type: "DeviceApproved", data: { by: "operator:alice" } });
      return body;
    };
    const watchSubjects = async (body: { deviceId: string }, announced: boolean) => {
      const h = headers();
      if (announced) h.set(TARGET_WATCH_HEADER, FIXED_TARGET_WATCH);
      const msg = await enrolling.request(`sc.dev.${body.deviceId}.hello`, JSON.stringify(body), {
        timeout: 5_000,
        headers: h,
      });
      const reply = helloReplySchema.parse(msg.json());
      if (reply.status !== "enrolled") throw new Error(`expected creds, got ${reply.status}`);
      const allow = decode<{ pub?: { allow?: string[] } }>(reply.jwt).nats.pub?.allow ?? [];
      return allow.filter((s) => s.includes("CONSUMER.CREATE") || s.startsWith("$JS.FC"));
    };
    const withMode = async (mode: "on" | "off", run: () => Promise<void>) => {
      await responder.stop();
      const other = new EnrollmentResponder(env.service, store, fed.view, gateway, undefined, {
        legacyTargetWatch: mode,
      });
      other.start();
      try {
        await env.service.flush();
        await run();
      } finally {
        await other.stop();
        responder = new EnrollmentResponder(env.service, store, fed.view, gateway);
        responder.start();
        await env.service.flush();
      }
    };

    // auto (the default): an earlier agent keeps its watch until its key announces the bound.
    const w = await approvedDevice("dev-w");
    expect(await watchSubjects(w, false)).toEqual(legacyFor("dev-w"));
    expect(await watchSubjects(w, true)).toEqual([fixedFor("dev-w")]);
    expect(await watchSubjects(w, false)).toEqual([fixedFor("dev-w")]);
    expect(await watchSubjects(w, true)).toEqual([fixedFor("dev-w")]);
    const recorded = (await store.readStream(deviceStreamId("dev-w"))).events.filter(
      (e) => e.type === "DeviceTargetWatchBounded",
    );
    expect(recorded.map((e) => e.data)).toEqual([{ publicKey: w.publicKey }]);

    // on: a bounded key whose agent went back to an earlier release gets its watch again.
    await withMode("on", async () => {
      expect(await watchSubjects(w, false)).toEqual(legacyFor("dev-w"));
      expect(await watchSubjects(w, true)).toEqual([fixedFor("dev-w")]);
    });
    // off: no hello gets the earlier watch, even from a key that never announced the bound.
    const v = await approvedDevice("dev-v");
    await withMode("off", async () => {
      expect(await watchSubjects(v, false)).toEqual([fixedFor("dev-v")]);
    });
  });

  it("answers malformed and mismatched hellos with a reason, never an event", async () => {
    const raw = await enrolling.request("sc.dev.dev-d.hello", "not json", { timeout: 5_000 });
    expect(raw.json<HelloReply>()).toMatchObject({ status: "refused", reason: /malformed/ });
    const wrongSubject = await enrolling.request(
      "sc.dev.dev-d.hello",
      JSON.stringify({ deviceId: "dev-e", publicKey: createUser().getPublicKey(), fleet: "f" }),
      { timeout: 5_000 },
    );
    expect(wrongSubject.json<HelloReply>()).toMatchObject({ status: "refused" });
    expect(await types("dev-d")).toEqual([]);
    expect(await types("dev-e")).toEqual([]);
  });

  async function connectWith(jwt: string, key: KeyPair, deviceId: string): Promise<NatsConnection> {
    return connect({
      servers: env.nats.url,
      reconnect: false,
      ...deviceConnectionOptions(credsText(jwt, key), deviceId),
    });
  }
});
