import { freePort } from "@statecast/infra";
import { bootstrapApp, type RunningService } from "@statecast/platform";
import {
  createTestDatabase,
  startTestNats,
  type TestDatabase,
  type TestNats,
} from "@statecast/testing";
import pg from "pg";
import { AppModule } from "../app.module.js";
import { loadOrchestratorConfig } from "../config/orchestrator.config.js";

describe("orchestrator health", () => {
  let db: TestDatabase;
  let nats: TestNats;
  let service: RunningService;

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await startTestNats();
    const config = loadOrchestratorConfig({
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      STATECAST_HTTP_PORT: String(await freePort()),
      STATECAST_ADMIN_TOKEN: "test-admin-token-0123456789",
      STATECAST_LOG_LEVEL: "warn",
    });
    service = await bootstrapApp(AppModule.register(config), { name: "orchestrator", config });
  });

  afterAll(async () => {
    await service?.close();
    await nats?.dispose();
    await db?.drop();
  });

  it("is live and ready with Postgres and NATS up", async () => {
    const live = await fetch(`${service.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: "ok",
      info: { postgres: { status: "up" }, nats: { status: "up" } },
    });
  });

  it("has migrated its database before serving", async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT to_regclass('events') AS events");
      expect(rows[0].events).toBe("events");
    } finally {
      await client.end();
    }
  });

  it("answers unknown routes through the error filter", async () => {
    const res = await fetch(`${service.url}/no-such-route`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ statusCode: 404, error: "not_found" });
  });

  it("is not ready once the NATS server is gone, but still live", async () => {
    await nats.kill();
    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: "error",
      info: { postgres: { status: "up" } },
      error: { nats: { status: "down" } },
    });
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
  });
});
