import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import { openScObjects } from "./sc-objects.test-helper.js";

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const content = Buffer.from("0123456789abcdefghijklmnopqrstuvwxyz".repeat(1000));
const id = sha(content);

function put(app: TestApp, objectId: string, body: Buffer, headers: Record<string, string> = {}) {
  return app.call(`/v1/objects/${objectId}`, {
    method: "PUT",
    body,
    headers: { "content-type": "application/octet-stream", ...headers },
  });
}

async function stats(app: TestApp) {
  return (await (await app.call("/v1/objects/stats")).json()) as {
    uploadedBytes: number;
    duplicateUploads: number;
    servedBytes: number;
  };
}

describe("objects over HTTP", () => {
  let app: TestApp;
  let sc: Awaited<ReturnType<typeof openScObjects>>;
  /** Every entry in sc_objects, temporary uploads included: a refused upload must leave none. */
  const storeFiles = () => sc.names();

  beforeAll(async () => {
    app = await startTestApp({ maxObjectBytes: 100_000 });
    sc = await openScObjects(app.natsUrl);
  });
  afterAll(async () => {
    await sc?.close();
    await app?.close();
  });

  it("refuses a body whose hash is not its id (422), keeping nothing", async () => {
    const res = await put(app, "f".repeat(64), content);
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: "unprocessable" });
    expect(await storeFiles()).toEqual([]);
    expect(await sc.messages()).toBe(0);
    expect((await app.call(`/v1/objects/${"f".repeat(64)}`, { method: "HEAD" })).status).toBe(404);
  });

  it("refuses a body whose size is not the declared one (422), keeping nothing", async () => {
    for (const size of [content.length - 1, content.length + 1]) {
      const res = await put(app, id, content, { "x-object-size": String(size) });
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ error: "unprocessable" });
    }
    const truncated = await put(app, id, content.subarray(0, 100));
    expect(truncated.status).toBe(422);
    expect(await storeFiles()).toEqual([]);
    expect(await sc.messages()).toBe(0);
    expect(await stats(app)).toMatchObject({
      uploadedBytes: 0,
      storedObjects: 0,
      refusedUploads: 4,
    });
  });

  it("stores a good upload once (201), and a repeat is 200 without a second copy", async () => {
    const first = await put(app, id, content);
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ sha256: id, size: content.length, created: true });
    const before = await stats(app);
    const again = await put(app, id, content);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ created: false });
    const after = await stats(app);
    expect(after.uploadedBytes).toBe(before.uploadedBytes);
    expect(after.duplicateUploads).toBe(before.duplicateUploads + 1);
    expect(await storeFiles()).toEqual([id]);
  });

  it("answers 413 over the size limit, before reading the body", async () => {
    const big = Buffer.alloc(100_001, 7);
    const res = await put(app, sha(big), big);
    expect(res.status).toBe(413);
    expect(await storeFiles()).toEqual([id]);
  });

  it("serves HEAD, GET and single byte ranges (206), and 416 outside the object", async () => {
    const head = await app.call(`/v1/objects/${id}`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(content.length));
    expect(head.headers.get("accept-ranges")).toBe("bytes");
    const whole = await app.call(`/v1/objects/${id}`);
    expect(Buffer.from(await whole.arrayBuffer()).equals(content)).toBe(true);
    const part = await app.call(`/v1/objects/${id}`, { headers: { range: "bytes=10-19" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 10-19/${content.length}`);
    expect(Buffer.from(await part.arrayBuffer()).toString()).toBe(
      content.subarray(10, 20).toString(),
    );
    const tail = await app.call(`/v1/objects/${id}`, { headers: { range: "bytes=-5" } });
    expect(Buffer.from(await tail.arrayBuffer()).toString()).toBe(content.subarray(-5).toString());
    const outside = await app.call(`/v1/objects/${id}`, {
      headers: { range: `bytes=${content.length}-` },
    });
    expect(outside.status).toBe(416);
    expect(outside.headers.get("content-range")).toBe(`bytes */${content.length}`);
    expect((await stats(app)).servedBytes).toBe(content.length + 10 + 5);
    expect((await app.call(`/v1/objects/${"0".repeat(64)}`)).status).toBe(404);
    expect((await app.call("/v1/objects/not-a-sha")).status).toBe(400);
  });

  it("serves what another replica stored in sc_objects: ranges across chunks, HEAD, stat", async () => {
    // Over two 128 KiB chunks, put by another orchestrator replica (no disk in common).
    const large = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    const put = await sc.store.put(sha(large), Readable.from([large]), { size: large.length });
    expect(put).toEqual({ sha: sha(large), size: large.length, created: true });
    const head = await app.call(`/v1/objects/${sha(large)}`, { method: "HEAD" });
    expect(head.headers.get("content-length")).toBe(String(large.length));
    const across = await app.call(`/v1/objects/${sha(large)}`, {
      headers: { range: "bytes=131000-262200" },
    });
    expect(across.status).toBe(206);
    expect(Buffer.from(await across.arrayBuffer()).equals(large.subarray(131000, 262201))).toBe(
      true,
    );
    const whole = await app.call(`/v1/objects/${sha(large)}`);
    expect(Buffer.from(await whole.arrayBuffer()).equals(large)).toBe(true);
    // A wrong hash through the store itself: refused, nothing left in the stream.
    const before = await sc.messages();
    await expect(sc.store.put("1".repeat(64), Readable.from([large]))).rejects.toThrow(/hashes to/);
    expect(await sc.messages()).toBe(before);
  });

  it("two replicas uploading one object at once store it once, no copy left behind", async () => {
    const other = await openScObjects(app.natsUrl);
    try {
      const bytes = Buffer.from("raced upload ".repeat(30_000));
      const before = await sc.messages();
      const results = await Promise.all([
        sc.store.put(sha(bytes), Readable.from([bytes]), { size: bytes.length }),
        other.store.put(sha(bytes), Readable.from([bytes]), { size: bytes.length }),
      ]);
      expect(results.map((r) => r.created).sort()).toEqual([false, true]);
      expect((await sc.names()).filter((n) => n.startsWith("incoming."))).toEqual([]);
      // One copy: its chunks (128 KiB each) and one metadata message.
      expect(await sc.messages()).toBe(before + Math.ceil(bytes.length / 131_072) + 1);
      const res = await app.call(`/v1/objects/${sha(bytes)}`);
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it("tells which objects it lacks", async () => {
    const res = await app.call("/v1/objects/missing", {
      method: "POST",
      json: { shas: [id, "a".repeat(64), "a".repeat(64)] },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ missing: ["a".repeat(64)] });
    const bad = await app.call("/v1/objects/missing", { method: "POST", json: { shas: ["xyz"] } });
    expect(bad.status).toBe(400);
  });

  it("needs the operator role to upload", async () => {
    const viewer = (await (
      await app.call("/v1/tokens", { method: "POST", json: { name: "viewer1", role: "viewer" } })
    ).json()) as { secret: string };
    const res = await app.call(`/v1/objects/${id}`, {
      method: "PUT",
      body: content,
      token: viewer.secret,
      headers: { "content-type": "application/octet-stream" },
    });
    expect(res.status).toBe(403);
    expect(
      (await app.call(`/v1/objects/${id}`, { method: "PUT", body: content, token: null })).status,
    ).toBe(401);
  });
});
