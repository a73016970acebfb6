import { randomUUID } from "node:crypto";
import { enrollmentTokenRefusal, foldEnrollmentToken } from "@statecast/device-domain";
import {
  createRegistry,
  deviceCatalog,
  enrollmentCatalog,
  enrollmentTokenStreamId,
  PostgresEventStore,
} from "@statecast/events";
import { enrollmentSecretTokenId } from "@statecast/nats-auth";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";

interface Token {
  tokenId: string;
  fleet: string;
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
  tags: Record<string, string>;
  createdBy: string;
  revokedAt: string | null;
  secret?: string;
}

describe("/v1/fleets/:fleet/enrollment-tokens", () => {
  let app: TestApp;
  let store: PostgresEventStore;
  let viewer: string;
  let operator: string;

  beforeAll(async () => {
    app = await startTestApp();
    store = new PostgresEventStore(app.pool, createRegistry(deviceCatalog, enrollmentCatalog));
    const token = async (name: string, role: string) =>
      (
        (await (await app.call("/v1/tokens", { method: "POST", json: { name, role } })).json()) as {
          secret: string;
        }
      ).secret;
    viewer = await token("vera", "viewer");
    operator = await token("olga", "operator");
  });
  afterAll(async () => {
    await app?.close();
  });

  const create = (fleet: string, json: unknown, token: string | null = operator) =>
    app.call(`/v1/fleets/${fleet}/enrollment-tokens`, { method: "POST", json, token });
  const list = async (fleet: string, token: string = viewer) =>
    (await (await app.call(`/v1/fleets/${fleet}/enrollment-tokens`, { token })).json()) as Token[];

  it("an operator creates a token: the secret once, stored hashed, usable by the gateway's check", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const res = await create("lab", { expiresAt, maxUses: 5, tags: { ring: "canary" } });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Token & { secret: string };
    expect(created).toMatchObject({
      fleet: "lab",
      expiresAt,
      maxUses: 5,
      uses: 0,
      tags: { ring: "canary" },
      createdBy: "operator:olga",
      revokedAt: null,
    });
    expect(enrollmentSecretTokenId(created.secret)).toBe(created.tokenId);

    const { events } = await store.readStream(enrollmentTokenStreamId(created.tokenId));
    expect(events.map((e) => e.type)).toEqual(["EnrollmentTokenCreated"]);
    expect(events[0]?.metadata.correlationId).toBe(res.headers.get("x-correlation-id"));
    const everything = JSON.stringify((await app.pool.query("SELECT * FROM events")).rows);
    expect(everything).not.toContain(created.secret);
    // What the gateway does with a hello carrying the secret.
    const token = foldEnrollmentToken(events);
    expect(enrollmentTokenRefusal(token, created.secret, "lab", new Date().toISOString())).toBe(
      undefined,
    );

    const listed = await list("lab");
    expect(listed.map((t) => t.tokenId)).toContain(created.tokenId);
    expect(JSON.stringify(listed)).not.toContain(created.secret);
    expect(JSON.stringify(listed)).not.toContain("secretHash");
    expect(await list("other-fleet")).toEqual([]);
  });

  it("lists the uses the gateway appended", async () => {
    const created = (await (await create("uses", {})).json()) as Token;
    const meta = { correlationId: "c", causationId: "c", actor: "device:d1" as const };
    await store.append(
      enrollmentTokenStreamId(created.tokenId),
      [
        {
          type: "EnrollmentTokenUsed",
          data: { deviceId: "d1", publicKey: `U${"A".repeat(55)}` },
          metadata: { ...meta, now: new Date().toISOString() },
        },
      ],
      { expectedVersion: 1 },
    );
    expect(await list("uses")).toEqual([
      expect.objectContaining({ tokenId: created.tokenId, uses: 1, maxUses: null }),
    ]);
  });

  it("revokes a token once (200, then 409), 404 for an unknown one or another fleet's", async () => {
    const created = (await (await create("rev", {})).json()) as Token;
    const path = `/v1/fleets/rev/enrollment-tokens/${created.tokenId}`;
    const res = await app.call(`${path}?reason=leaked`, { method: "DELETE", token: operator });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Token).revokedAt).not.toBeNull();
    const { events } = await store.readStream(enrollmentTokenStreamId(created.tokenId));
    expect(events.at(-1)).toMatchObject({
      type: "EnrollmentTokenRevoked",
      data: { reason: "leaked" },
      metadata: { actor: "operator:olga" },
    });
    const before = await app.eventCount();
    expect((await app.call(path, { method: "DELETE", token: operator })).status).toBe(409);
    const otherFleet = `/v1/fleets/lab/enrollment-tokens/${created.tokenId}`;
    expect((await app.call(otherFleet, { method: "DELETE", token: operator })).status).toBe(404);
    const unknown = `/v1/fleets/rev/enrollment-tokens/${randomUUID()}`;
    expect((await app.call(unknown, { method: "DELETE", token: operator })).status).toBe(404);
    expect(
      (await app.call("/v1/fleets/rev/enrollment-tokens/nope", { method: "DELETE" })).status,
    ).toBe(400);
    expect(await app.eventCount()).toBe(before);
  });

  it("401 without a token, 403 for a viewer creating or revoking, nothing written", async () => {
    const before = await app.eventCount();
    expect((await create("lab", {}, null)).status).toBe(401);
    expect((await app.call("/v1/fleets/lab/enrollment-tokens", { token: null })).status).toBe(401);
    const asViewer = await create("lab", {}, viewer);
    expect(asViewer.status).toBe(403);
    const id = (await list("lab"))[0]?.tokenId;
    const revoke = await app.call(`/v1/fleets/lab/enrollment-tokens/${id}`, {
      method: "DELETE",
      token: viewer,
    });
    expect(revoke.status).toBe(403);
    expect(await app.eventCount()).toBe(before);
  });

  it("400 with field details for bad bodies, nothing written", async () => {
    const before = await app.eventCount();
    const bad: [string, unknown, string][] = [
      ["lab", { maxUses: 0 }, "maxUses"],
      ["lab", { expiresAt: "tomorrow" }, "expiresAt"],
      ["lab", { expiresAt: "2020-01-01T00:00:00Z" }, "expiresAt"],
      ["lab", { tags: "ring=canary" }, "tags"],
      ["lab", { tags: { "": "x" } }, "tags"],
      ["lab", { secret: "mine" }, "secret"],
      ["bad fleet!", {}, "fleet"],
    ];
    for (const [fleet, body, field] of bad) {
      const res = await create(encodeURIComponent(fleet), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(await res.json())).toContain(field);
    }
    expect(await app.eventCount()).toBe(before);
  });

  it("is documented in the OpenAPI document", async () => {
    const doc = (await (await app.call("/docs-json")).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths["/v1/fleets/{fleet}/enrollment-tokens"] ?? {})).toEqual(
      expect.arrayContaining(["post", "get"]),
    );
    expect(Object.keys(doc.paths["/v1/fleets/{fleet}/enrollment-tokens/{tokenId}"] ?? {})).toEqual([
      "delete",
    ]);
  });
});
