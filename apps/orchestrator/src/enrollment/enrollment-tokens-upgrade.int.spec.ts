import { randomUUID } from "node:crypto";
import {
  createRegistry,
  deviceCatalog,
  enrollmentCatalog,
  enrollmentTokenStreamId,
  migrate,
  PostgresEventStore,
} from "@statecast/events";
import { hashEnrollmentSecret } from "@statecast/nats-auth";
import pg from "pg";
import { orchestratorSchema } from "../app.module.js";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";

const READ_MODEL = "orchestrator-0005-enrollment-tokens";
const [kept, used, revoked] = [randomUUID(), randomUUID(), randomUUID()];
const now = "2026-11-02T09:30:00.000Z";
const metadata = { correlationId: "c", causationId: "c", actor: "operator:olga" as const, now };

/** The release before the read model: its schema, and tokens it created, used and revoked. */
async function previousRelease(url: string): Promise<void> {
  await migrate(
    url,
    orchestratorSchema.filter((m) => m.id !== READ_MODEL),
  );
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const store = new PostgresEventStore(pool, createRegistry(deviceCatalog, enrollmentCatalog));
  try {
    for (const [tokenId, fleet] of [
      [kept, "lab"],
      [used, "lab"],
      [revoked, "lab"],
    ] as const) {
      await store.append(
        enrollmentTokenStreamId(tokenId),
        [
          {
            type: "EnrollmentTokenCreated",
            data: {
              tokenId,
              fleet,
              secretHash: hashEnrollmentSecret(tokenId),
              maxUses: 3,
              tags: {},
            },
            metadata,
          },
        ],
        { expectedVersion: "no_stream" },
      );
    }
    const publicKey = `U${"A".repeat(55)}`;
    await store.append(
      enrollmentTokenStreamId(used),
      [
        { type: "EnrollmentTokenUsed", data: { deviceId: "d1", publicKey }, metadata },
        { type: "EnrollmentTokenUsed", data: { deviceId: "d2", publicKey }, metadata },
      ],
      { expectedVersion: 1 },
    );
    await store.append(
      enrollmentTokenStreamId(revoked),
      [{ type: "EnrollmentTokenRevoked", data: { reason: "leaked" }, metadata }],
      { expectedVersion: 1 },
    );
  } finally {
    await store.close();
    await pool.end();
  }
}

describe("enrollment tokens' read model on a database the release before it wrote", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ prepare: previousRelease });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("is filled from the tokens' streams: uses counted, revocations shown, oldest first", async () => {
    const res = await app.call("/v1/fleets/lab/enrollment-tokens");
    expect(res.status).toBe(200);
    const base = { fleet: "lab", maxUses: 3, expiresAt: null, tags: {}, createdAt: now };
    expect(await res.json()).toEqual([
      { ...base, tokenId: kept, uses: 0, createdBy: "operator:olga", revokedAt: null },
      { ...base, tokenId: used, uses: 2, createdBy: "operator:olga", revokedAt: null },
      { ...base, tokenId: revoked, uses: 0, createdBy: "operator:olga", revokedAt: now },
    ]);
    const { rows } = await app.pool.query("SELECT token_id FROM enrollment_tokens");
    expect(rows).toHaveLength(3);
    expect(JSON.stringify(rows)).not.toContain("secret");
  });
});
