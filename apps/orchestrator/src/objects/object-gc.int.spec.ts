import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { objectGcRequest, objectGcResult } from "@statecast/contract/http";
import { deltaOffersName } from "@statecast/state";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import { anAppState } from "../revisions/app-state.test-helper.js";
import type { ObjectGcResult } from "./object-gc.js";
import { openScObjects } from "./sc-objects.test-helper.js";

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const blob = (name: string) => Buffer.from(`${name} `.repeat(50));

const aState = (conf: Buffer, rootfs: Buffer) => anAppState(sha(conf), sha(rootfs));

type Collected = ObjectGcResult;

async function setUp(app: TestApp) {
  const upload = async (bytes: Buffer) => {
    const res = await app.call(`/v1/objects/${sha(bytes)}`, { method: "PUT", body: bytes });
    expect(res.status).toBe(201);
  };
  const policy = await app.call("/v1/fleets/main/trust-policy", {
    method: "PUT",
    json: { mode: "lenient", trusted: [] },
  });
  expect(policy.status).toBe(200);
  return upload;
}

/** Whether sc_objects (as any replica reaches it) holds the object. */
async function stored(app: TestApp, bytes: Buffer | string): Promise<boolean> {
  const sc = await openScObjects(app.natsUrl);
  try {
    return await sc.store.has(typeof bytes === "string" ? bytes : sha(bytes));
  } finally {
    await sc.close();
  }
}

/** As if stored two hours ago (or at `at`): past the one-minute grace of these tests. */
async function age(app: TestApp, objects: (Buffer | string)[], at = Date.now() - 2 * 3600_000) {
  const sc = await openScObjects(app.natsUrl);
  try {
    for (const o of objects) await sc.age(typeof o === "string" ? o : sha(o), new Date(at));
  } finally {
    await sc.close();
  }
}

describe("object garbage collection", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      env: { STATECAST_OBJECT_GC_GRACE_SECONDS: "60", STATECAST_OBJECT_GC_INTERVAL_SECONDS: "0" },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("removes unreferenced objects past the grace; keeps referenced, fresh and just-checked ones; records who did it", async () => {
    const upload = await setUp(app);
    const [conf, rootfs, orphan, checked, fresh] = [
      "conf",
      "rootfs",
      "orphan",
      "checked",
      "fresh",
    ].map(blob) as [Buffer, Buffer, Buffer, Buffer, Buffer];
    for (const bytes of [conf, rootfs, orphan, checked, fresh]) await upload(bytes);
    const posted = await app.call("/v1/fleets/main/revisions", {
      method: "POST",
      json: { state: aState(conf, rootfs), message: "gc" },
    });
    expect(posted.status).toBe(201);
    const digest = ((await posted.json()) as { digest: string }).digest;
    await age(app, [conf, rootfs, orphan, checked]);
    await age(app, [digest], 0);

    const before = await app.eventCount();
    const dry = await app.call("/v1/objects/gc", { method: "POST", json: { dryRun: true } });
    expect(dry.status).toBe(200);
    expect((await dry.json()) as Collected).toMatchObject({
      dryRun: true,
      examined: 6,
      referenced: 3,
      fresh: 1,
      removed: 2,
      objects: [sha(orphan), sha(checked)].sort(),
    });
    expect(await stored(app, orphan)).toBe(true);
    expect(await app.eventCount()).toBe(before);

    // A client about to post asks what is missing: what it is told is present is kept.
    const missing = await app.call("/v1/objects/missing", {
      method: "POST",
      json: { shas: [sha(checked)] },
    });
    expect(((await missing.json()) as { missing: string[] }).missing).toEqual([]);

    const run = await app.call("/v1/objects/gc", { method: "POST", json: {} });
    const result = (await run.json()) as Collected;
    expect(result).toMatchObject({
      dryRun: false,
      referenced: 3,
      fresh: 2,
      removed: 1,
      bytes: orphan.length,
      objects: [sha(orphan)],
    });
    expect(await stored(app, orphan)).toBe(false);
    for (const kept of [conf, rootfs, checked, fresh]) expect(await stored(app, kept)).toBe(true);
    expect(await stored(app, digest)).toBe(true);
    const { rows } = await app.pool.query<{ stream_id: string; data: unknown; actor: string }>(
      "SELECT stream_id, data, metadata->>'actor' AS actor FROM events WHERE type = 'ObjectsCollected'",
    );
    expect(rows).toEqual([
      {
        stream_id: "objects:store",
        actor: "operator:admin",
        data: { removed: 1, bytes: orphan.length, graceSeconds: 60, objects: [sha(orphan)] },
      },
    ]);
  });

  it("keeps the deltas gateways offer toward a referenced object, and collects the others", async () => {
    const upload = await setUp(app);
    const [conf, rootfs, old] = ["conf-d", "rootfs-d", "old-d"].map(blob) as [
      Buffer,
      Buffer,
      Buffer,
    ];
    for (const bytes of [conf, rootfs, old]) await upload(bytes);
    const posted = await app.call("/v1/fleets/main/revisions", {
      method: "POST",
      json: { state: aState(conf, rootfs), message: "deltas" },
    });
    expect(posted.status).toBe(201);
    const [kept, dropped] = [blob("delta-kept"), blob("delta-dropped")];
    const sc = await openScObjects(app.natsUrl);
    try {
      for (const [delta, to] of [
        [kept, rootfs],
        [dropped, old],
      ] as const) {
        await sc.store.put(sha(delta), Readable.from([delta]));
        const offers = {
          to: sha(to),
          offers: [{ id: sha(delta), from: sha(conf), to: sha(to), algo: "zstd", size: 1 }],
          tooLarge: [],
        };
        await sc.bucket.putBlob(
          { name: deltaOffersName(sha(to)) },
          new TextEncoder().encode(JSON.stringify(offers)),
        );
      }
      await age(app, [conf, rootfs, old, kept, dropped]);
      const run = await app.call("/v1/objects/gc", { method: "POST", json: {} });
      expect(((await run.json()) as Collected).objects).toEqual([sha(dropped), sha(old)].sort());
      expect(await sc.store.has(sha(kept))).toBe(true);
      expect(await sc.store.has(sha(dropped))).toBe(false);
    } finally {
      await sc.close();
    }
  });

  it("drops an upload a stopped replica left under its temporary name, once past the grace", async () => {
    const sc = await openScObjects(app.natsUrl);
    try {
      const bytes = Readable.toWeb(Readable.from([blob("abandoned")]));
      await sc.bucket.put({ name: "incoming.stopped-old" }, bytes as ReadableStream<Uint8Array>);
      const recent = Readable.toWeb(Readable.from([blob("in-flight")]));
      await sc.bucket.put({ name: "incoming.stopped-new" }, recent as ReadableStream<Uint8Array>);
      await sc.ageEntry("incoming.stopped-old", new Date(Date.now() - 2 * 3600_000));
      const dry = await app.call("/v1/objects/gc", { method: "POST", json: { dryRun: true } });
      expect(dry.status).toBe(200);
      expect(await sc.names()).toContain("incoming.stopped-old");
      const before = await sc.messages();
      const run = await app.call("/v1/objects/gc", { method: "POST", json: {} });
      expect(run.status).toBe(200);
      const names = await sc.names();
      expect(names).not.toContain("incoming.stopped-old");
      expect(names).toContain("incoming.stopped-new");
      expect(await sc.messages()).toBeLessThan(before);
    } finally {
      await sc.close();
    }
  });

  it("a post waiting on a running pass re-checks its objects: refused with what is missing, never a revision without them", async () => {
    const upload = await setUp(app);
    const conf = blob("conf-2");
    const rootfs = blob("rootfs-2");
    for (const bytes of [conf, rootfs]) await upload(bytes);
    const pass = await app.pool.connect();
    try {
      // Hold the pass's lock, as a running collection pass does.
      await pass.query("SELECT pg_advisory_lock($1)", [0x5c_0b1c]);
      const posting = app.call("/v1/fleets/main/revisions", {
        method: "POST",
        json: { state: aState(conf, rootfs), message: "raced" },
      });
      await sleep(300);
      const { rows } = await app.pool.query(
        "SELECT 1 FROM events WHERE type = 'RevisionPosted' AND data->>'message' = 'raced'",
      );
      expect(rows).toHaveLength(0); // waiting for the pass
      // The pass removes the rootfs (it saw no revision naming it), then ends.
      const sc = await openScObjects(app.natsUrl);
      await sc.store.delete(sha(rootfs)).finally(() => sc.close());
      await pass.query("SELECT pg_advisory_unlock($1)", [0x5c_0b1c]);
      const res = await posting;
      expect(res.status).toBe(422);
      expect(JSON.stringify(await res.json())).toContain(sha(rootfs));
    } finally {
      pass.release();
    }
    const { rows } = await app.pool.query(
      "SELECT 1 FROM events WHERE type = 'RevisionPosted' AND data->>'message' = 'raced'",
    );
    expect(rows).toHaveLength(0);
  });

  it("answers in its HTTP contract's shape, refuses a body outside it, and documents both", async () => {
    const dry = await app.call("/v1/objects/gc", { method: "POST", json: { dryRun: true } });
    expect(objectGcResult.safeParse(await dry.json()).success).toBe(true);
    const bad = await app.call("/v1/objects/gc", { method: "POST", json: { dryRun: "yes" } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("dryRun");
    const before = await app.eventCount();
    const extra = await app.call("/v1/objects/gc", { method: "POST", json: { force: true } });
    expect(extra.status).toBe(400);
    expect(await app.eventCount()).toBe(before);

    type Operation = {
      requestBody: { content: Record<string, { schema: { properties: object } }> };
      responses: Record<string, { content: Record<string, { schema: { properties: object } }> }>;
    };
    const doc = (await (await app.call("/docs-json")).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const gc = doc.paths["/v1/objects/gc"]?.post;
    const json = "application/json";
    expect(Object.keys(gc?.requestBody.content[json]?.schema.properties ?? {})).toEqual(
      Object.keys(objectGcRequest.shape),
    );
    expect(Object.keys(gc?.responses["200"]?.content[json]?.schema.properties ?? {})).toEqual(
      Object.keys(objectGcResult.shape),
    );
  });
});

describe("periodic object collection", () => {
  let app: TestApp;
  afterAll(async () => {
    await app?.close();
  });

  it("runs by itself and records its passes as system:object-gc", async () => {
    app = await startTestApp({
      env: { STATECAST_OBJECT_GC_GRACE_SECONDS: "60", STATECAST_OBJECT_GC_INTERVAL_SECONDS: "1" },
    });
    const upload = await setUp(app);
    const orphan = blob("periodic-orphan");
    await upload(orphan);
    await age(app, [orphan]);
    const deadline = Date.now() + 10_000;
    while ((await stored(app, orphan)) && Date.now() < deadline) await sleep(100);
    expect(await stored(app, orphan)).toBe(false);
    let actors: string[] = [];
    while (actors.length === 0 && Date.now() < deadline) {
      const { rows } = await app.pool.query<{ actor: string }>(
        "SELECT metadata->>'actor' AS actor FROM events WHERE type = 'ObjectsCollected'",
      );
      actors = rows.map((r) => r.actor);
      await sleep(50);
    }
    expect(actors).toEqual(["system:object-gc"]);
  });
});
