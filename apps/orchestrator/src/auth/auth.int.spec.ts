import { ADMIN_SECRET, startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";

describe("auth over HTTP", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("refuses /v1 without a token (401) and with an unknown one (401)", async () => {
    const none = await app.call("/v1/devices", { token: null });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: "unauthorized" });
    expect((await app.call("/v1/devices", { token: "sct_nope" })).status).toBe(401);
  });

  it("lets the bootstrap admin create a token whose secret is shown once and stored hashed", async () => {
    const before = await app.eventCount();
    const res = await app.call("/v1/tokens", {
      method: "POST",
      json: { name: "ann", role: "operator" },
    });
    expect(res.status).toBe(201);
    const generated = res.headers.get("x-correlation-id") ?? "";
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const created = (await res.json()) as { tokenId: string; secret: string; role: string };
    expect(created).toMatchObject({ name: "ann", role: "operator", createdBy: "operator:admin" });
    expect(await app.eventCount()).toBe(before + 1);
    const { rows } = await app.pool.query(
      "SELECT data::text, metadata::text FROM events WHERE type = 'ApiTokenCreated'",
    );
    expect(JSON.stringify(rows)).not.toContain(created.secret);
    const page = (await (await app.call(`/v1/events?correlationId=${generated}`)).json()) as {
      items: { type: string }[];
    };
    expect(page.items.map((e) => e.type)).toEqual(["ApiTokenCreated"]);
    const listed = await (await app.call("/v1/tokens")).json();
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    expect((await app.call("/v1/devices", { token: created.secret })).status).toBe(200);
  });

  it("answers 403 to a role too weak, writing nothing", async () => {
    const viewer = (await (
      await app.call("/v1/tokens", { method: "POST", json: { name: "vic", role: "viewer" } })
    ).json()) as { secret: string };
    const operator = (await (
      await app.call("/v1/tokens", { method: "POST", json: { name: "otto", role: "operator" } })
    ).json()) as { secret: string };
    const before = await app.eventCount();
    const asViewer = await app.call("/v1/devices/d1/approve", {
      method: "POST",
      token: viewer.secret,
    });
    expect(asViewer.status).toBe(403);
    expect(await asViewer.json()).toMatchObject({ error: "forbidden" });
    const asOperator = await app.call("/v1/tokens", {
      method: "POST",
      token: operator.secret,
      json: { name: "sneaky", role: "admin" },
    });
    expect(asOperator.status).toBe(403);
    expect(await app.eventCount()).toBe(before);
  });

  it("validates bodies (400 with field details) without writing", async () => {
    const before = await app.eventCount();
    const res = await app.call("/v1/tokens", {
      method: "POST",
      json: { name: "bad name!", role: "root", extra: 1 },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; details: { path: string }[] };
    expect(body.error).toBe("validation");
    expect(body.details.map((d) => d.path).sort()).toEqual(["extra", "name", "role"]);
    expect(await app.eventCount()).toBe(before);
  });

  it("revokes a token: it stops working at once; the event names the actor and correlation id", async () => {
    const created = (await (
      await app.call("/v1/tokens", { method: "POST", json: { name: "temp", role: "viewer" } })
    ).json()) as { tokenId: string; secret: string };
    const res = await app.call(`/v1/tokens/${created.tokenId}/revoke`, {
      method: "POST",
      json: { reason: "left" },
      headers: { "x-correlation-id": "corr-revoke-1" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-correlation-id")).toBe("corr-revoke-1");
    expect(await res.json()).toMatchObject({ revokedAt: expect.any(String) });
    expect((await app.call("/v1/devices", { token: created.secret })).status).toBe(401);
    const { rows } = await app.pool.query(
      "SELECT metadata FROM events WHERE type = 'ApiTokenRevoked' AND stream_id = $1",
      [`token:${created.tokenId}`],
    );
    expect(rows[0].metadata).toMatchObject({
      actor: "operator:admin",
      correlationId: "corr-revoke-1",
    });
    expect(rows[0].metadata.causationId).toEqual(expect.any(String));
    const again = await app.call(`/v1/tokens/${created.tokenId}/revoke`, {
      method: "POST",
      json: {},
    });
    expect(again.status).toBe(409);
  });

  it("never accepts the admin secret with a different suffix", async () => {
    expect((await app.call("/v1/devices", { token: `${ADMIN_SECRET}x` })).status).toBe(401);
  });

  it("serves the OpenAPI document, and every /v1 operation demands a token", async () => {
    const doc = (await (await fetch(`${app.url}/docs-json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const paths = Object.keys(doc.paths).filter((p) => p.startsWith("/v1/"));
    expect(paths.length).toBeGreaterThan(10);
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (!path.startsWith("/v1/")) continue;
      for (const method of Object.keys(operations)) {
        const concrete = path.replaceAll(/\{[^}]+\}/g, (m) =>
          m === "{sha256}" ? "a".repeat(64) : "x1",
        );
        const res = await app.call(concrete, { method: method.toUpperCase(), token: null });
        expect([path, method, res.status]).toEqual([path, method, 401]);
      }
    }
  });
});
