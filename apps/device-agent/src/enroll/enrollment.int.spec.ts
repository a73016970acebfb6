import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import { connect } from "@nats-io/transport-node";
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
  openDeviceBuckets,
  TARGETS_BUCKET,
} from "@statecast/nats-auth";
import { createTestDatabase, type TestDatabase } from "@statecast/testing";
import pg from "pg";
// The gateway's responder itself (not a test helper): the protocol's other end, run directly.
import { EnrollmentResponder } from "../../../device-gateway/src/enrollment/enrollment-responder.js";
import type { ObjectAccess } from "../../../device-gateway/src/objects/object-access.js";
import { ObjectResponder } from "../../../device-gateway/src/objects/object-responder.js";
import {
  type FedView,
  feedView,
} from "../../../device-gateway/src/testing/view-feed.test-helper.js";
import { createLogger } from "../log.js";
import { SimRuntime } from "../runtime/sim-runtime.js";
import { agentBundle } from "../testing/agent-process.test-helper.js";
import { runConnectedAgent, waitForStatus } from "../testing/connected-run.test-helper.js";
import { INIT } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";
import { type SecuredNats, startSecuredNats } from "../testing/secured-nats.test-helper.js";
import { EnrollmentRefused, enroll } from "./enroll.js";

const meta = () => ({
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: "operator:alice" as const,
  now: new Date().toISOString(),
});
const mode = (path: string) => statSync(path).mode & 0o777;

/** The hello protocol, device side, against the gateway's EnrollmentResponder on generated auth. */
describe("agent enrollment through sc.dev.<id>.hello", () => {
  let env: SecuredNats;
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;
  let responder: EnrollmentResponder;
  let dir: string;
  let enrollmentCreds: string;
  let agentJs: string;
  let objects: ObjectResponder;
  let fed: FedView;

  beforeAll(async () => {
    env = await startSecuredNats();
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    await migrate(db.url, eventStoreMigrations);
    store = new PostgresEventStore(pool, createRegistry(deviceCatalog, enrollmentCatalog));
    // The gateway's view of the record, fed over SC_EVENTS as in the gateway.
    fed = await feedView(db.url, store, env.service);
    responder = new EnrollmentResponder(env.service, store, fed.view, env.setup);
    responder.start();
    // The gateway's object responder; which objects a device may read is the gateway's test.
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
    dir = mkdtempSync("/tmp/sc-agent-enroll-");
    enrollmentCreds = join(dir, "enrollment.creds");
    writeFileSync(enrollmentCreds, (await issueEnrollmentUser(env.setup)).creds, { mode: 0o600 });
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

  it("waits while pending (retrying with backoff), then stores 0600 creds it can connect with as itself", async () => {
    const storeDir = mkdtempSync(join(dir, "store-"));
    const lines: string[] = [];
    const log = createLogger("dev-pend", "sim");
    const options = {
      natsUrl: env.nats.url,
      deviceId: "dev-pend",
      fleet: "lab",
      enrollmentCreds: readFileSync(enrollmentCreds, "utf8"),
      identityFile: join(storeDir, "device.nk"),
      credsFile: join(storeDir, "device.creds"),
      log: { ...log, info: (msg: string) => lines.push(msg) },
      retryInitialMs: 100,
      retryMaxMs: 400,
    };
    const enrolled = enroll(options);
    const deadline = Date.now() + 10_000;
    while (!lines.some((l) => l.startsWith("enrollment pending approval"))) {
      if (Date.now() > deadline) throw new Error("no pending hello");
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(lines.filter((l) => l.startsWith("enrollment pending")).length).toBeGreaterThan(1);
    const { events } = await store.readStream(deviceStreamId("dev-pend"));
    expect(events.map((e) => e.type)).toEqual(["DeviceEnrolled"]);
    const publicKey = (events[0]?.data as { publicKey?: string } | undefined)?.publicKey;
    expect(publicKey).toMatch(/^U[A-Z2-7]{55}$/);
    await store.append(
      deviceStreamId("dev-pend"),
      [{ type: "DeviceApproved", data: { by: "operator:alice" }, metadata: meta() }],
      { expectedVersion: 1 },
    );

    const creds = await enrolled;
    expect(readFileSync(options.credsFile, "utf8")).toBe(creds);
    expect(mode(options.credsFile)).toBe(0o600);
    expect(mode(options.identityFile)).toBe(0o600);
    const seed = readFileSync(options.identityFile, "utf8").trim();
    expect(creds).toContain(seed);
    const recorded = (await store.readStream(deviceStreamId("dev-pend"))).events;
    expect(JSON.stringify(recorded.map((e) => [e.data, e.metadata]))).not.toContain(seed);

    // Connected as itself: reads its own target key.
    await (await new Kvm(jetstream(env.service)).open(TARGETS_BUCKET)).put("dev-pend", "mine");
    const nc = await connect({
      servers: env.nats.url,
      reconnect: false,
      ...deviceConnectionOptions(creds, "dev-pend"),
    });
    try {
      const { targets } = await openDeviceBuckets(nc, "dev-pend");
      expect((await targets.get("dev-pend"))?.string()).toBe("mine");
    } finally {
      await nc.close();
    }
    // The identity persists: a second enrollment says hello with the same public key.
    await enroll(options);
    const issued = (await store.readStream(deviceStreamId("dev-pend"))).events.at(-1);
    expect(issued?.data).toEqual({ publicKey });
  });

  it("statecast-agent run enrolls with a fleet token, then follows its target as itself", async () => {
    const device = new DeviceUnderTest({}, (d) => new SimRuntime(join(d, "sim")));
    try {
      const tokenId = randomUUID();
      const secret = generateEnrollmentSecret(tokenId);
      await store.append(
        enrollmentTokenStreamId(tokenId),
        [
          {
            type: "EnrollmentTokenCreated",
            data: { tokenId, fleet: "lab", secretHash: hashEnrollmentSecret(secret), tags: {} },
            metadata: meta(),
          },
        ],
        { expectedVersion: "no_stream" },
      );
      await fed.caughtUp();
      const tokenFile = join(device.dir, "token");
      writeFileSync(tokenFile, `${secret}\n`, { mode: 0o600 });
      const { state, digest } = device.states.build([
        { name: "net", group: "root", init: INIT.started },
      ]);
      const js = jetstream(env.service);
      const objects = await new Objm(js).open(OBJECTS_BUCKET);
      for (const name of readdirSync(device.states.objectsDir))
        await objects.putBlob({ name }, readFileSync(join(device.states.objectsDir, name)));
      const target = device.target(state, digest);
      await (await new Kvm(js).open(TARGETS_BUCKET)).put(device.deviceId, JSON.stringify(target));

      const child = runAgent(device, [
        ...["--enrollment-creds", enrollmentCreds, "--fleet", "lab"],
        ...["--enrollment-token-file", tokenFile],
      ]);
      try {
        const reports = await waitForStatus(env, device.deviceId, "DONE");
        expect(reports.map((r) => r.status)).toContain("TESTING");
        expect(mode(join(device.storeDir, "device.creds"))).toBe(0o600);
        const types = (await store.readStream(deviceStreamId(device.deviceId))).events.map(
          (e) => e.type,
        );
        expect(types).toEqual([
          "DeviceEnrolled",
          "DeviceCredentialsIssued",
          "DeviceTargetWatchBounded",
        ]);
      } finally {
        child.kill("SIGTERM");
        await child.done;
      }
    } finally {
      await device.dispose();
    }
  });

  it("exits with status 3 and the gateway's reason when the hello is refused", async () => {
    const device = new DeviceUnderTest({}, (d) => new SimRuntime(join(d, "sim")));
    try {
      // The id is already enrolled with another device's key.
      const other = mkdtempSync(join(dir, "other-"));
      const first = enroll({
        natsUrl: env.nats.url,
        deviceId: device.deviceId,
        fleet: "lab",
        enrollmentCreds: readFileSync(enrollmentCreds, "utf8"),
        identityFile: join(other, "device.nk"),
        credsFile: join(other, "device.creds"),
        log: createLogger(device.deviceId, "sim", true),
        signal: AbortSignal.timeout(1_000),
      });
      await expect(first).rejects.toThrow(/aborted/);

      const result = await runAgent(device, [
        ...["--enrollment-creds", enrollmentCreds, "--fleet", "lab"],
      ]).done;
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(
        `enrollment refused: device ${device.deviceId} is enrolled with another key`,
      );
      expect(() => statSync(join(device.storeDir, "device.creds"))).toThrow(/ENOENT/);
    } finally {
      await device.dispose();
    }
    await expect(
      enroll({
        natsUrl: env.nats.url,
        deviceId: "dev-bad",
        fleet: "lab",
        enrollmentCreds: readFileSync(enrollmentCreds, "utf8"),
        identityFile: join(dir, "bad.nk"),
        credsFile: join(dir, "bad.creds"),
        log: createLogger("dev-bad", "sim", true),
        enrollmentToken: "sce_not-a-token",
      }),
    ).rejects.toBeInstanceOf(EnrollmentRefused);
  });

  const runAgent = (device: DeviceUnderTest, extra: string[]) =>
    runConnectedAgent(env, agentJs, device, extra);
});
