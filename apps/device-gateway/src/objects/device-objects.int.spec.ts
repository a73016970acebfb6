import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createUser, type KeyPair } from "@nats-io/nkeys";
import { deviceStreamId, type PostgresEventStore } from "@statecast/events";
import type { RunningService } from "@statecast/platform";
import { FsObjectStore } from "@statecast/state";
import {
  createTestDatabase,
  startTestNats,
  type TestDatabase,
  type TestNats,
} from "@statecast/testing";
import { openStore, startGateway } from "../testing/gateway.test-helper.js";
import { signDeviceToken } from "./device-token.js";

const meta = {
  correlationId: "t",
  causationId: "t",
  actor: "operator:test",
  now: new Date().toISOString(),
} as const;
const token = (kp: KeyPair, sub: string, expInS = 60) =>
  signDeviceToken({ sub, exp: Math.floor(Date.now() / 1000) + expInS }, (data) => kp.sign(data));

describe("GET /v1/device-objects/:sha", () => {
  let db: TestDatabase;
  let nats: TestNats;
  let store: PostgresEventStore;
  let gateway: RunningService;
  const dataDir = mkdtempSync(join(tmpdir(), "statecast-gateway-objects-"));
  const content = randomBytes(100_000);
  const sha = createHash("sha256").update(content).digest("hex");
  const device = createUser();
  const stranger = createUser();
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/v1/device-objects/${path}`, { headers });

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await startTestNats();
    store = await openStore(db.url);
    await new FsObjectStore(join(dataDir, "objects")).put(sha, Readable.from([content]));
    const enrolled = {
      deviceId: "dev-o",
      publicKey: device.getPublicKey(),
      fleet: "fleet",
      tags: {},
      enrolledWith: "token",
    };
    await store.append(
      deviceStreamId("dev-o"),
      [{ type: "DeviceEnrolled", data: enrolled, metadata: meta }],
      {
        expectedVersion: "no_stream",
      },
    );
    gateway = await startGateway(db.url, nats.url, dataDir);
  });

  afterAll(async () => {
    await gateway?.close();
    await store?.pool.end();
    await nats?.dispose();
    await db?.drop();
  });

  it("serves the whole object, then resumes from a byte offset", async () => {
    const auth = { authorization: `Bearer ${token(device, "dev-o")}` };
    const whole = await get(sha, auth);
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(content);

    const rest = await get(sha, { ...auth, range: "bytes=60000-" });
    expect(rest.status).toBe(206);
    expect(rest.headers.get("content-range")).toBe(`bytes 60000-99999/${content.length}`);
    expect(Buffer.from(await rest.arrayBuffer())).toEqual(content.subarray(60_000));
    expect((await get(sha, { ...auth, range: "bytes=200000-" })).status).toBe(416);
  });

  it("refuses a missing, forged, foreign or expired token", async () => {
    expect((await get(sha)).status).toBe(401);
    expect((await get(sha, { authorization: `Bearer ${token(stranger, "dev-o")}` })).status).toBe(
      401,
    );
    expect((await get(sha, { authorization: `Bearer ${token(device, "dev-x")}` })).status).toBe(
      401,
    );
    expect((await get(sha, { authorization: `Bearer ${token(device, "dev-o", -5)}` })).status).toBe(
      401,
    );
    expect(
      (await get(sha, { authorization: `Bearer ${token(device, "dev-o", 86_400)}` })).status,
    ).toBe(401);
    expect((await get(sha, { authorization: "Bearer nonsense" })).status).toBe(401);
  });

  it("answers 404 for an unknown object and 400 for a malformed id", async () => {
    const auth = { authorization: `Bearer ${token(device, "dev-o")}` };
    expect((await get("b".repeat(64), auth)).status).toBe(404);
    expect((await get("not-a-sha", auth)).status).toBe(400);
  });
});
