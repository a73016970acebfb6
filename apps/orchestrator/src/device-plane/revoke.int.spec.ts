import { deviceStreamId } from "@statecast/events";
import { deviceEvent, enrolled } from "../devices/device-history.test-helper.js";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";

const key = `U${"B".repeat(55)}`;

describe("POST /v1/devices/:id/revoke", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const revoke = (id: string, json: unknown = {}) =>
    app.call(`/v1/devices/${id}/revoke`, { method: "POST", json });

  it("appends DeviceCredentialsRevoked for the key that holds credentials, as the operator", async () => {
    await deviceEvent(app.store, "r1", "DeviceEnrolled", {
      ...enrolled("r1", "main", {}),
      publicKey: key,
    });
    await deviceEvent(app.store, "r1", "DeviceCredentialsIssued", { publicKey: key });
    const res = await revoke("r1", { reason: "lost in transit" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deviceId: "r1", publicKey: key, version: 3 });
    const last = (await app.store.readStream(deviceStreamId("r1"))).events.at(-1);
    expect(last?.type).toBe("DeviceCredentialsRevoked");
    expect(last?.data).toEqual({ publicKey: key, reason: "lost in transit" });
    expect(last?.metadata.actor).toMatch(/^operator:/);
  });

  it("refuses a second revocation and a device without credentials, writing nothing", async () => {
    await deviceEvent(app.store, "r2", "DeviceEnrolled", enrolled("r2", "main", {}));
    const before = await app.eventCount();
    const again = await revoke("r1");
    expect(again.status).toBe(409);
    expect(JSON.stringify(await again.json())).toMatch(/holds no credentials/);
    expect((await revoke("r2")).status).toBe(409);
    expect(await app.eventCount()).toBe(before);
  });

  it("answers 404 for an unknown device and 401 without a token", async () => {
    expect((await revoke("nobody")).status).toBe(404);
    const anonymous = await app.call("/v1/devices/r1/revoke", { method: "POST", token: null });
    expect(anonymous.status).toBe(401);
  });
});
