import { freePort } from "@statecast/infra";
import { bootstrapApp, type RunningService } from "@statecast/platform";
import {
  createTestDatabase,
  startTestNats,
  type TestDatabase,
  type TestNats,
} from "@statecast/testing";
import { AppModule } from "../app.module.js";
import { loadGatewayConfig } from "../config/gateway.config.js";

describe("device-gateway health", () => {
  let db: TestDatabase;
  let nats: TestNats;
  let service: RunningService;

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await startTestNats();
    const config = loadGatewayConfig({
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      STATECAST_HTTP_PORT: String(await freePort()),
      STATECAST_LOG_LEVEL: "warn",
    });
    service = await bootstrapApp(AppModule.register(config), { name: "device-gateway", config });
  });

  afterAll(async () => {
    await service?.close();
    await nats?.dispose();
    await db?.drop();
  });

  it("is live and ready with Postgres and NATS up", async () => {
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      info: { postgres: { status: "up" }, nats: { status: "up" } },
    });
  });

  it("is not ready once its database is gone", async () => {
    await db.drop();
    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      info: { nats: { status: "up" } },
      error: { postgres: { status: "down" } },
    });
  });

  it("is not ready once the NATS server is gone either, but still live", async () => {
    await nats.stop();
    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      error: { postgres: { status: "down" }, nats: { status: "down" } },
    });
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
  });
});
