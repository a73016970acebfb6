import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { REVISIONS_BUCKET, revisionKey } from "@statecast/contract";
import { deviceStreamId, revisionStreamId } from "@statecast/events";
import type { RunningService } from "@statecast/platform";
import { applyDelta, canonicalJson, deltaOffersName } from "@statecast/state";
import {
  createTestDatabase,
  startTestNats,
  type TestDatabase,
  type TestNats,
} from "@statecast/testing";
import {
  connectClient,
  openStore,
  startGateway,
  type TestStore,
} from "../testing/gateway.test-helper.js";
import type { DeltaOffers } from "./delta-maker.js";

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const meta = {
  correlationId: "t",
  causationId: "t",
  actor: "operator:test",
  now: "2026-01-01T00:00:00.000Z",
} as const;

describe("object deltas made at target write", () => {
  let db: TestDatabase;
  let nats: TestNats;
  let store: TestStore;
  let client: NatsConnection;
  let gateway: RunningService;
  const dataDir = mkdtempSync(join(tmpdir(), "statecast-gateway-deltas-"));
  const v1 = randomBytes(512 * 1024);
  const v2 = Buffer.concat([
    v1.subarray(0, 4096),
    Buffer.from("one file changed"),
    v1.subarray(4096),
  ]);
  const v3 = randomBytes(512 * 1024); // unrelated: its delta is no smaller than the object
  const digests: Record<number, string> = {};

  async function postRevision(number: number, root: Buffer): Promise<void> {
    const state = { "#spec": "pantavisor-service-system@1", "app/root.squashfs": sha(root) };
    const canonical = Buffer.from(canonicalJson(state));
    // What the orchestrator does when a revision is posted: objects and manifest on NATS.
    const objects = await new Objm(jetstream(client)).create("sc_objects");
    for (const bytes of [canonical, root]) {
      if (!(await objects.info(sha(bytes)))) await objects.putBlob({ name: sha(bytes) }, bytes);
    }
    const revisions = await new Kvm(jetstream(client)).create(REVISIONS_BUCKET);
    await revisions.put(
      revisionKey("fleet", number),
      JSON.stringify({ digest: sha(canonical), objects: [sha(root)] }),
    );
    digests[number] = sha(canonical);
    const data = {
      revision: { fleet: "fleet", number },
      digest: sha(canonical),
      objects: [sha(root)],
      author: "t",
    };
    await store.append(
      revisionStreamId("fleet", number),
      [{ type: "RevisionPosted", data: { ...data, message: "" }, metadata: meta }],
      {
        expectedVersion: "no_stream",
      },
    );
  }

  const assigned = (number: number, seq: number) => ({
    type: "TargetAssigned",
    data: { revision: { fleet: "fleet", number }, digest: digests[number], seq },
    metadata: meta,
  });
  const succeeded = (number: number) => ({
    type: "UpdateSucceeded",
    data: { revision: { fleet: "fleet", number }, status: "DONE", report: { bootId: "b", seq: 9 } },
    metadata: meta,
  });

  async function untilTarget(deviceId: string, seq: number): Promise<void> {
    const kv = await new Kvm(jetstream(client)).open("sc_targets");
    for (let i = 0; i < 400; i++) {
      const entry = await kv.get(deviceId);
      if (entry?.operation === "PUT" && entry.json<{ seq: number }>().seq === seq) return;
      await sleep(50);
    }
    throw new Error(`no target ${seq} for ${deviceId}`);
  }

  async function offers(to: Buffer): Promise<DeltaOffers | null> {
    const objects = await new Objm(jetstream(client)).open("sc_objects");
    const blob = await objects.getBlob(deltaOffersName(sha(to)));
    return blob ? (JSON.parse(Buffer.from(blob).toString("utf8")) as DeltaOffers) : null;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await startTestNats();
    store = await openStore(db.url);
    client = await connectClient(nats.url);
    await postRevision(1, v1);
    await postRevision(2, v2);
    await postRevision(3, v3);
    gateway = await startGateway(db.url, nats.url, dataDir);
  });

  afterAll(async () => {
    await gateway?.close();
    await client?.close();
    await store?.pool.end();
    await nats?.dispose();
    await db?.drop();
  });

  async function device(id: string, events: object[]): Promise<void> {
    const enrolled = {
      type: "DeviceEnrolled",
      data: {
        deviceId: id,
        publicKey: `U${"A".repeat(55)}`,
        fleet: "fleet",
        tags: {},
        enrolledWith: "token",
      },
      metadata: meta,
    };
    await store.append(deviceStreamId(id), [enrolled, ...events] as never, {
      expectedVersion: "no_stream",
    });
  }

  it("offers a delta from the object the device runs, which rebuilds the new object", async () => {
    await device("d-delta", [assigned(1, 1), succeeded(1), assigned(2, 2)]);
    await untilTarget("d-delta", 2);
    const list = await offers(v2);
    expect(list?.offers).toEqual([
      {
        id: expect.any(String),
        from: sha(v1),
        to: sha(v2),
        algo: "xdelta3",
        size: expect.any(Number),
      },
    ]);
    const offer = list!.offers[0]!;
    expect(offer.size).toBeLessThan(v2.length / 50);
    const objects = await new Objm(jetstream(client)).open("sc_objects");
    const delta = Buffer.from((await objects.getBlob(offer.id))!);
    expect(sha(delta)).toBe(offer.id);
    const work = mkdtempSync(join(tmpdir(), "statecast-delta-check-"));
    writeFileSync(join(work, "from"), v1);
    writeFileSync(join(work, "delta"), delta);
    await applyDelta(
      "xdelta3",
      join(work, "from"),
      join(work, "delta"),
      join(work, "out"),
      v1.length,
    );
    expect(sha(readFileSync(join(work, "out")))).toBe(sha(v2));
  });

  it("makes a pair's delta once, whichever devices need it", async () => {
    const objects = await new Objm(jetstream(client)).open("sc_objects");
    const before = await objects.info(deltaOffersName(sha(v2)));
    await device("d-delta-2", [assigned(1, 1), succeeded(1), assigned(2, 2)]);
    await untilTarget("d-delta-2", 2);
    // Not written again: the same entry (a re-put gets a new nuid), the same single offer.
    const after = await objects.info(deltaOffersName(sha(v2)));
    expect(after?.nuid).toBe(before?.nuid);
    expect((await offers(v2))?.offers).toHaveLength(1);
  });

  it("offers nothing when the delta is not smaller than half the object, and remembers it", async () => {
    await device("d-big", [assigned(2, 1), succeeded(2), assigned(3, 2)]);
    await untilTarget("d-big", 2);
    expect(await offers(v3)).toMatchObject({ offers: [], tooLarge: [sha(v2)] });
  });

  it("offers nothing to a device that has not run a revision yet", async () => {
    await device("d-new", [assigned(1, 1)]);
    await untilTarget("d-new", 1);
    expect(await offers(v1)).toBeNull();
  });
});
