import { createUser } from "@nats-io/nkeys";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  createRegistry,
  deviceCatalog,
  deviceStreamId,
  eventStoreMigrations,
  migrate,
  PostgresEventStore,
} from "@statecast/events";
import { credsConnectionOptions, issueEnrollmentUser } from "@statecast/nats-auth";
import { createTestDatabase, type TestDatabase } from "@statecast/testing";
import pg from "pg";
import {
  type SecuredNats,
  startSecuredNats,
} from "../../../../libs/nats-auth/src/secured-nats.test-helper.js";
import { type FedView, feedView } from "../testing/view-feed.test-helper.js";
import { EnrollmentResponder, type HelloReply } from "./enrollment-responder.js";
import { HelloLimits, helloLimitMigrations } from "./hello-limits.js";

/**
 * Whoever holds the deployment-wide enrollment creds may hello any id into any fleet: hellos are
 * rate-limited, new pending devices are bounded per fleet, a fleet may require a token, and the
 * fleet name is checked as the operator API checks it. The clock is frozen: no bucket refills.
 */
describe("hello limits (real nats-server and Postgres)", () => {
  let env: SecuredNats;
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let enrolling: NatsConnection;
  let fed: FedView;
  const responders: EnrollmentResponder[] = [];

  beforeAll(async () => {
    env = await startSecuredNats();
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await migrate(db.url, [...eventStoreMigrations, ...helloLimitMigrations]);
    store = new PostgresEventStore(pool, createRegistry(deviceCatalog));
    fed = await feedView(db.url, store, env.service);
    const { creds, inboxPrefix } = await issueEnrollmentUser(env.setup);
    enrolling = await connect({
      servers: env.nats.url,
      inboxPrefix,
      ...credsConnectionOptions(creds),
    });
  });
  afterAll(async () => {
    await enrolling?.close();
    for (const responder of responders) await responder.stop();
    await fed?.close();
    await env?.dispose();
    await pool?.end();
    await db?.drop();
  });

  /** One responder at a time answers the hellos, with these limits. */
  const answering = async (options: Partial<HelloLimits["options"]>) => {
    for (const responder of responders.splice(0)) await responder.stop();
    const limits = new HelloLimits(
      fed.view,
      {
        helloRate: 1000,
        pendingRate: 1000,
        maxPendingPerFleet: 1000,
        tokenRequiredFleets: [],
        ...options,
      },
      () => 0,
    );
    const responder = new EnrollmentResponder(env.service, store, fed.view, env.setup, limits);
    responder.start();
    responders.push(responder);
    await env.service.flush();
  };
  const hello = async (deviceId: string, fleet: string): Promise<HelloReply> => {
    const body = { deviceId, publicKey: createUser().getPublicKey(), fleet };
    const msg = await enrolling.request(`sc.dev.${deviceId}.hello`, JSON.stringify(body), {
      timeout: 5_000,
    });
    return msg.json<HelloReply>();
  };
  const enrolled = async (deviceId: string) =>
    (await store.readStream(deviceStreamId(deviceId))).events.length;

  it("refuses a fleet name the operator API would refuse, recording nothing", async () => {
    await answering({});
    for (const fleet of ["../etc", "a b", "a\u0000b", "-lead", "x".repeat(129)]) {
      const reply = await hello("dev-name", fleet);
      expect(reply).toMatchObject({
        status: "refused",
        reason: expect.stringMatching(/fleet must be/),
      });
    }
    expect(await enrolled("dev-name")).toBe(0);
  });

  it("a fleet that requires a token refuses new devices without one", async () => {
    await answering({ tokenRequiredFleets: ["locked"] });
    expect(await hello("dev-locked", "locked")).toEqual({
      status: "refused",
      reason: "fleet locked enrolls devices only with an enrollment token",
    });
    expect(await enrolled("dev-locked")).toBe(0);
    expect(await hello("dev-open", "open")).toEqual({ status: "pending" });
  });

  it("bounds new pending devices per fleet: rate, then the pending cap", async () => {
    await answering({ pendingRate: 0.5 }); // burst of 5, never refilled (frozen clock)
    const replies = [];
    for (let i = 0; i < 7; i++) replies.push((await hello(`burst-${i}`, "rate")).status);
    expect(replies).toEqual([...Array(5).fill("pending"), "busy", "busy"]);
    expect(await enrolled("burst-5")).toBe(0);
    expect((await hello("other-fleet", "rate-2")).status).toBe("pending"); // per fleet

    await answering({ maxPendingPerFleet: 5 });
    const full = await hello("burst-7", "rate");
    expect(full).toMatchObject({
      status: "busy",
      reason: expect.stringMatching(/5 devices pending/),
    });
    expect(await enrolled("burst-7")).toBe(0);
    await store.append(
      deviceStreamId("burst-0"),
      [{ type: "DeviceApproved", data: { by: "operator:alice" }, metadata: meta }],
      { expectedVersion: 1 },
    );
    await fed.caughtUp();
    expect((await hello("burst-7", "rate")).status).toBe("pending");
  });

  it("limits all hellos of a gateway", async () => {
    await answering({ helloRate: 1 }); // burst of 2
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await hello(`any-${i}`, "any")).status);
    expect(statuses).toEqual(["pending", "pending", "busy"]);
  });
});

const meta = {
  correlationId: "test",
  causationId: "test",
  actor: "operator:alice",
  now: new Date().toISOString(),
} as const;
