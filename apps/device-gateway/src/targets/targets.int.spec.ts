import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { jetstream } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { type ObjectStore, Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
// The agent's own check: what the gateway writes must verify exactly as a device verifies it.
import {
  type TargetEnvelope,
  targetChangedSubject,
  targetEnvelopeProblem,
  verifyTarget,
} from "@statecast/contract";
import { deviceStreamId, revisionStreamId } from "@statecast/events";
import type { RunningService } from "@statecast/platform";
import { canonicalJson } from "@statecast/state";
import {
  createTestDatabase,
  startTestNats,
  type TestDatabase,
  type TestNats,
} from "@statecast/testing";
import {
  aTargetedDevice,
  connectClient,
  openStore,
  startGateway,
  type TestStore,
} from "../testing/gateway.test-helper.js";
import { targetKeyPaths } from "./target-key.js";

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const meta = {
  correlationId: "t",
  causationId: "t",
  actor: "operator:test",
  now: "2026-01-01T00:00:00.000Z",
} as const;

async function untilTarget(
  kv: KV,
  deviceId: string,
  seq: number,
): Promise<TargetEnvelope | undefined> {
  for (let i = 0; i < 200; i++) {
    const entry = await kv.get(deviceId);
    if (entry?.operation === "PUT" && entry.json<TargetEnvelope>().seq === seq) {
      // Every target the gateway writes is one by the agent's own check.
      expect(targetEnvelopeProblem(entry.json())).toBeUndefined();
      return entry.json<TargetEnvelope>();
    }
    if (seq === 0 && entry?.operation === "DEL") return undefined;
    await sleep(50);
  }
  throw new Error(`no target seq ${seq} for ${deviceId} in sc_targets`);
}

describe("targets in sc_targets", () => {
  let db: TestDatabase;
  let nats: TestNats;
  let store: TestStore;
  let client: NatsConnection;
  let gateway: RunningService;
  let objects: ObjectStore;
  /** What the orchestrator does before posting a revision: the object into `sc_objects`. */
  const publish = async (bytes: Buffer) => {
    await objects.put({ name: sha(bytes) }, Readable.toWeb(Readable.from([bytes])) as never);
  };
  const dataDir = mkdtempSync(join(tmpdir(), "statecast-gateway-targets-"));
  const rootfs = Buffer.from("a root filesystem, as far as this test cares");
  const state = { "#spec": "pantavisor-service-system@1", "app/root.squashfs": sha(rootfs) };
  const canonical = Buffer.from(canonicalJson(state));
  const digest = sha(canonical);

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await startTestNats();
    store = await openStore(db.url);
    client = await connectClient(nats.url);
    objects = await new Objm(jetstream(client)).create("sc_objects");
    await publish(canonical);
    await publish(rootfs);
    const revision = { fleet: "fleet", number: 2 };
    await store.append(
      revisionStreamId("fleet", 2),
      [
        {
          type: "RevisionPosted",
          data: { revision, digest, objects: [sha(rootfs)], author: "t", message: "" },
          metadata: meta,
        },
      ],
      { expectedVersion: "no_stream" },
    );
    gateway = await startGateway(db.url, nats.url, dataDir);
  });

  afterAll(async () => {
    await gateway?.close();
    await client?.close();
    await store?.pool.end();
    await nats?.dispose();
    await db?.drop();
  });

  it("writes a signed target the agent verifies, from the objects in sc_objects", async () => {
    await aTargetedDevice(store, "dev-t", 2, digest);
    const kv = await new Kvm(jetstream(client)).open("sc_targets");
    const target = await untilTarget(kv, "dev-t", 1);

    expect(target).toMatchObject({
      deviceId: "dev-t",
      seq: 1,
      revision: "fleet#2",
      stateDigest: digest,
      state,
    });
    const publicKey = readFileSync(targetKeyPaths(dataDir).publicKey, "utf8");
    expect(verifyTarget(target!, [publicKey])).toEqual({ ok: true });
    expect(verifyTarget({ ...target!, seq: 2 }, [publicKey]).ok).toBe(false);
  });

  it("says so on the device's change subject after each write, with the key's revision (issue 16)", async () => {
    const said: string[] = [];
    const sub = client.subscribe(targetChangedSubject("dev-n"), {
      callback: (_error, msg) => {
        said.push(msg.string());
      },
    });
    await client.flush();
    try {
      await aTargetedDevice(store, "dev-n", 2, digest);
      const kv = await new Kvm(jetstream(client)).open("sc_targets");
      await untilTarget(kv, "dev-n", 1);
      const revision = (await kv.get("dev-n"))!.revision;
      await vi.waitFor(() => expect(said).toEqual([`${revision}`]), { timeout: 5_000 });
    } finally {
      sub.unsubscribe();
    }
  });

  it("retries a target whose state object is missing until it arrives, never skipping it", async () => {
    const kv = await new Kvm(jetstream(client)).open("sc_targets");
    const late = { ...state, "app/late.json": { n: 1 } };
    const lateCanonical = Buffer.from(canonicalJson(late));
    const lateDigest = sha(lateCanonical);
    await aTargetedDevice(store, "dev-late", 2, lateDigest);
    await sleep(500); // the gateway has had the event and could not write it
    expect((await kv.get("dev-late"))?.operation).not.toBe("PUT");
    await publish(lateCanonical);
    expect(await untilTarget(kv, "dev-late", 1)).toMatchObject({ stateDigest: lateDigest });
  });

  it("a later assignment replaces the key with a higher seq; a cancellation removes it", async () => {
    const kv = await new Kvm(jetstream(client)).open("sc_targets");
    const next = {
      revision: { fleet: "fleet", number: 2 },
      digest,
      seq: 2,
      rolloutId: "r1",
      waveIndex: 0,
      expiresAt: "2030-01-01T00:00:00.000Z",
    };
    await store.append(
      deviceStreamId("dev-t"),
      [{ type: "TargetAssigned", data: next, metadata: meta }],
      { expectedVersion: 2 },
    );
    expect(await untilTarget(kv, "dev-t", 2)).toMatchObject({
      rolloutId: "r1",
      waveId: "0",
      expiresAt: next.expiresAt,
    });

    const cancel = { revision: next.revision, seq: 2, reason: "rollout aborted" };
    await store.append(
      deviceStreamId("dev-t"),
      [{ type: "TargetCancelled", data: cancel, metadata: meta }],
      { expectedVersion: 3 },
    );
    expect(await untilTarget(kv, "dev-t", 0)).toBeUndefined();
  });

  it("after an upgrade from the processor, targets it had written are not written again", async () => {
    // The previous release's processor had handled every event so far (its checkpoint); the new
    // consumer is created on the upgraded gateway's first start and reads SC_EVENTS from its start.
    const kv = await new Kvm(jetstream(client)).open("sc_targets");
    const before = await Promise.all(["dev-t", "dev-late"].map((id) => kv.get(id)));
    await gateway.close();
    await (await jetstream(client).jetstreamManager()).consumers.delete(
      "SC_EVENTS",
      "gateway-targets",
    );
    await store.pool.query(
      `INSERT INTO processor_checkpoints (processor_name, global_position)
       SELECT 'gateway-targets', max(global_position) FROM events`,
    );
    gateway = await startGateway(db.url, nats.url, dataDir);
    await aTargetedDevice(store, "dev-after", 2, digest);
    await untilTarget(kv, "dev-after", 1); // one consumer, in order: the replay is behind it
    const after = await Promise.all(["dev-t", "dev-late"].map((id) => kv.get(id)));
    expect(after.map((e) => e?.revision)).toEqual(before.map((e) => e?.revision));
  });
});
