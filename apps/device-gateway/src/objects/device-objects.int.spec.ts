import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { createUser, type KeyPair } from "@nats-io/nkeys";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { deviceStreamId, type PostgresEventStore, revisionStreamId } from "@statecast/events";
import type { RunningService } from "@statecast/platform";
import {
  createTestDatabase,
  startTestNats,
  type TestDatabase,
  type TestNats,
} from "@statecast/testing";
import { openStore, startGateway, type TestStore } from "../testing/gateway.test-helper.js";
import { untilViewCaughtUp } from "../testing/view-feed.test-helper.js";
import { signDeviceToken } from "./device-token.js";

const meta = {
  correlationId: "t",
  causationId: "t",
  actor: "operator:test",
  now: new Date().toISOString(),
} as const;
async function postRevision(
  store: PostgresEventStore,
  fleet: string,
  number: number,
  objects: string[],
): Promise<void> {
  const revision = { fleet, number };
  const data = { revision, digest: "d".repeat(64), objects, author: "test", message: "" };
  await store.append(
    revisionStreamId(fleet, number),
    [{ type: "RevisionPosted", data, metadata: meta }],
    {
      expectedVersion: "no_stream",
    },
  );
}

/** An enrolled device (approved when enrolled with a token) targeted with `revision`. */
async function enrol(
  store: PostgresEventStore,
  deviceId: string,
  key: KeyPair,
  enrolledWith: "token" | "approval",
  revision: { fleet: string; number: number },
): Promise<void> {
  const enrolled = {
    deviceId,
    publicKey: key.getPublicKey(),
    fleet: "fleet",
    tags: {},
    enrolledWith,
  };
  const target = { revision, digest: "d".repeat(64), seq: 1 };
  await store.append(
    deviceStreamId(deviceId),
    [
      { type: "DeviceEnrolled", data: enrolled, metadata: meta },
      { type: "TargetAssigned", data: target, metadata: meta },
    ],
    { expectedVersion: "no_stream" },
  );
}

const token = (kp: KeyPair, sub: string, expInS = 60) =>
  signDeviceToken({ sub, exp: Math.floor(Date.now() / 1000) + expInS }, (data) => kp.sign(data));

describe("GET /v1/device-objects/:sha", () => {
  let db: TestDatabase;
  let nats: TestNats;
  let store: TestStore;
  let gateway: RunningService;
  let device$: NatsConnection;
  const dataDir = mkdtempSync(join(tmpdir(), "statecast-gateway-objects-"));
  const content = randomBytes(100_000);
  const sha = createHash("sha256").update(content).digest("hex");
  const big = randomBytes(8_000_000);
  const bigSha = createHash("sha256").update(big).digest("hex");
  // An object of a revision of the same fleet the device was never targeted with (a `_config`
  // secret of another site, say), and one of another fleet.
  const other = randomBytes(1_000);
  const otherSha = createHash("sha256").update(other).digest("hex");
  const foreign = randomBytes(1_000);
  const foreignSha = createHash("sha256").update(foreign).digest("hex");
  const device = createUser();
  const pendingDevice = createUser();
  const stranger = createUser();
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/v1/device-objects/${path}`, { headers });

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await startTestNats();
    store = await openStore(db.url);
    await postRevision(store, "fleet", 2, [sha, bigSha]);
    await postRevision(store, "fleet", 3, [otherSha]);
    await postRevision(store, "elsewhere", 1, [foreignSha]);
    await enrol(store, "dev-o", device, "token", { fleet: "fleet", number: 2 });
    await enrol(store, "dev-p", pendingDevice, "approval", { fleet: "fleet", number: 2 });
    gateway = await startGateway(db.url, nats.url, dataDir);
    await untilViewCaughtUp(store.pool); // what the gateway decides with: its view, over SC_EVENTS
    device$ = await connect({ servers: nats.url });
    // Where the orchestrator puts a revision's objects before posting it.
    const objects = await new Objm(jetstream(device$)).create("sc_objects");
    for (const [id, bytes] of [
      [sha, content],
      [bigSha, big],
      [otherSha, other],
      [foreignSha, foreign],
    ] as const)
      await objects.putBlob({ name: id }, bytes);
  });

  afterAll(async () => {
    await device$?.close();
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

  it("serves only objects of revisions the device was targeted with, of its own fleet, to an approved device", async () => {
    const auth = { authorization: `Bearer ${token(device, "dev-o")}` };
    const untargeted = await get(otherSha, auth);
    expect(untargeted.status).toBe(403);
    expect(await untargeted.text()).toMatch(
      /not part of a revision device dev-o was targeted with/,
    );
    expect((await get(foreignSha, auth)).status).toBe(403);
    const pending = await get(sha, { authorization: `Bearer ${token(pendingDevice, "dev-p")}` });
    expect(pending.status).toBe(403);
    expect(await pending.text()).toMatch(/device dev-p is pending/);
  });

  it("reads nothing for a re-keyed device's new key until an operator approves it", async () => {
    const oldKey = createUser();
    const newKey = createUser();
    await enrol(store, "dev-r", oldKey, "token", { fleet: "fleet", number: 2 });
    const append = async (version: number, type: string, data: object) => {
      await store.append(deviceStreamId("dev-r"), [{ type, data, metadata: meta }], {
        expectedVersion: version,
      });
      await untilViewCaughtUp(store.pool);
    };
    await append(2, "DeviceRekeyed", { previousKey: oldKey.getPublicKey(), reason: "new board" });
    await append(3, "DeviceKeyPresented", { publicKey: newKey.getPublicKey() });
    const as = (key: KeyPair) => ({ authorization: `Bearer ${token(key, "dev-r")}` });
    expect((await get(sha, as(oldKey))).status).toBe(401);
    const pending = await get(sha, as(newKey));
    expect(pending.status).toBe(403);
    expect(await pending.text()).toMatch(/device dev-r is pending/);
    await append(4, "DeviceApproved", { by: "operator:test", publicKey: newKey.getPublicKey() });
    const approved = await get(sha, as(newKey));
    expect(approved.status).toBe(200);
    expect(Buffer.from(await approved.arrayBuffer())).toEqual(content);
    expect((await get(sha, as(oldKey))).status).toBe(401);
  });

  it("serves the same rule on sc.dev.<id>.object, chunk by chunk from a stream sequence", async () => {
    const ask = async (deviceId: string, body: object) => {
      const reply = await device$.request(`sc.dev.${deviceId}.object`, JSON.stringify(body), {
        timeout: 5_000,
      });
      return { status: reply.headers?.get("Sc-Status"), seq: reply.headers?.get("Sc-Seq"), reply };
    };
    const info = await ask("dev-o", { sha });
    expect(info.status).toBe("ok");
    expect(info.reply.json()).toMatchObject({ size: content.length });
    const chunks: Uint8Array[] = [];
    for (let seq = 1, got = 0; got < content.length; ) {
      const chunk = await ask("dev-o", { sha, seq });
      expect(chunk.status).toBe("ok");
      chunks.push(chunk.reply.data);
      got += chunk.reply.data.length;
      seq = Number(chunk.seq) + 1;
    }
    expect(Buffer.concat(chunks)).toEqual(content);
    for (const [deviceId, id] of [
      ["dev-o", otherSha],
      ["dev-p", sha],
      ["dev-x", sha],
    ] as const) {
      const refused = await ask(deviceId, { sha: id, seq: 1 });
      expect(refused.status).toBe("refused");
      expect(refused.reply.data.length).toBeLessThan(300); // a reason, no object bytes
    }
  });

  it("serves an object put again (new content nuid) right after its info was remembered", async () => {
    const ask = async (body: object) => {
      const reply = await device$.request("sc.dev.dev-o.object", JSON.stringify(body), {
        timeout: 5_000,
      });
      return { status: reply.headers?.get("Sc-Status"), reply };
    };
    const before = (await ask({ sha })).reply.json<{ nuid: string }>();
    const objects = await new Objm(jetstream(device$)).open("sc_objects");
    await objects.putBlob({ name: sha }, content); // a new nuid; the old chunks are purged
    const chunk = await ask({ sha, seq: 1 });
    expect(chunk.status).toBe("ok");
    expect(Buffer.from(chunk.reply.data)).toEqual(content.subarray(0, chunk.reply.data.length));
    const after = (await ask({ sha })).reply.json<{ nuid: string }>();
    expect(after.nuid).not.toBe(before.nuid);
  });

  it("stops reading sc_objects for every download the client aborts", async () => {
    const auth = { authorization: `Bearer ${token(device, "dev-o")}` };
    for (let i = 0; i < 10; i++) {
      const controller = new AbortController();
      const res = await fetch(`${gateway.url}/v1/device-objects/${bigSha}`, {
        headers: auth,
        signal: controller.signal,
      });
      const reader = res.body?.getReader();
      await reader?.read();
      controller.abort();
      await reader?.cancel().catch(() => undefined);
    }
    // Each read is a consumer of the object's chunks; an aborted one must not stay behind.
    const jsm = await jetstreamManager(device$);
    const openReads = async () => (await jsm.streams.info("OBJ_sc_objects")).state.consumer_count;
    const deadline = Date.now() + 5_000;
    while ((await openReads()) > 0 && Date.now() < deadline) await sleep(50);
    expect(await openReads()).toBe(0);
  });

  it("answers hostile ids, ranges and tokens with a clear 4xx", async () => {
    const auth = { authorization: `Bearer ${token(device, "dev-o")}` };
    const ids = ["a%00b", "a%01b", "%1b[31m", "9".repeat(30), "-1", "x".repeat(10_000), "%ZZ"];
    const ranges = [
      "bytes=99999999999999999999999-",
      "bytes=-99999999999999999999",
      "bytes=5-1",
      "bytes=1e3-",
      "bytes=0-1,2-3",
      "items=0-",
    ];
    const cases = [
      ...ids.map((id) => get(id, auth)),
      ...ranges.map((range) => get(sha, { ...auth, range })),
      get(sha, { authorization: `Bearer ${"A".repeat(5_000)}.${"B".repeat(100)}` }),
    ];
    for (const res of await Promise.all(cases)) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(((await res.json()) as { message?: unknown }).message).toEqual(expect.any(String));
    }
  });

  it("answers 404 for an unknown object and 400 for a malformed id", async () => {
    const auth = { authorization: `Bearer ${token(device, "dev-o")}` };
    expect((await get("b".repeat(64), auth)).status).toBe(403); // not in any targeted revision
    expect((await get("not-a-sha", auth)).status).toBe(400);
  });
});
