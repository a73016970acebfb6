import { setTimeout as sleep } from "node:timers/promises";
import { keyFingerprint } from "@statecast/contract";
import { deviceStreamId } from "@statecast/events";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import { deviceEvent, enrolled } from "./device-history.test-helper.js";

const first = `U${"A".repeat(55)}`;
const second = `U${"C".repeat(55)}`;

describe("device keys: fingerprint, approve a specific key, re-key (real Postgres)", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (path: string, json: unknown = {}) => app.call(path, { method: "POST", json });
  /** The registry's view once it folded every event of the device's stream. */
  const device = async (id: string) => {
    const { version } = await app.store.readStream(deviceStreamId(id));
    for (let i = 0; ; i++) {
      const res = await app.call(`/v1/devices/${id}`);
      const body = (await res.json()) as { version?: number };
      if ((res.status === 200 && (body.version ?? 0) >= version) || i >= 200) return body;
      await sleep(25);
    }
  };
  const lastEvents = async (id: string, n: number) =>
    (await app.store.readStream(deviceStreamId(id))).events.slice(-n);

  it("shows the pending key's fingerprint, and approves only that key", async () => {
    await deviceEvent(app.store, "k1", "DeviceEnrolled", enrolled("k1", "main", {}));
    const fingerprint = keyFingerprint(first);
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(await device("k1")).toMatchObject({ publicKey: first, keyFingerprint: fingerprint });

    const before = await app.eventCount();
    const wrong = await post("/v1/devices/k1/approve", { keyFingerprint: keyFingerprint(second) });
    expect(wrong.status).toBe(409);
    expect(JSON.stringify(await wrong.json())).toContain(
      `device k1 is pending with key ${fingerprint}, not ${keyFingerprint(second)}`,
    );
    const malformed = await post("/v1/devices/k1/approve", { keyFingerprint: "U123" });
    expect(malformed.status).toBe(400);
    expect(await app.eventCount()).toBe(before);

    const ok = await post("/v1/devices/k1/approve", { keyFingerprint: fingerprint });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ approval: "approved", keyFingerprint: fingerprint });
    const [approved] = await lastEvents("k1", 1);
    expect(approved?.data).toMatchObject({ publicKey: first });
    expect(approved?.metadata.actor).toMatch(/^operator:/);
  });

  it("re-keys on purpose: credentials revoked, the new key waits for its own approval", async () => {
    await deviceEvent(app.store, "k2", "DeviceEnrolled", enrolled("k2", "main", {}));
    expect((await post("/v1/devices/k2/approve")).status).toBe(200);
    await deviceEvent(app.store, "k2", "DeviceCredentialsIssued", { publicKey: first });

    const rekeyed = await post("/v1/devices/k2/rekey", { reason: "board replaced" });
    expect(rekeyed.status).toBe(200);
    expect(await rekeyed.json()).toMatchObject({
      approval: "pending",
      publicKey: null,
      keyFingerprint: null,
    });
    const [revoked, rekey] = await lastEvents("k2", 2);
    expect(revoked).toMatchObject({
      type: "DeviceCredentialsRevoked",
      data: { publicKey: first, reason: "re-keyed: board replaced" },
    });
    expect(rekey).toMatchObject({
      type: "DeviceRekeyed",
      data: { previousKey: first, reason: "board replaced" },
    });
    expect(rekey?.metadata.actor).toMatch(/^operator:/);

    // Nothing to approve until the device says hello with its new key; no second re-key either.
    const early = await post("/v1/devices/k2/approve");
    expect(early.status).toBe(409);
    expect(JSON.stringify(await early.json())).toMatch(/has not said hello with its new key/);
    expect((await post("/v1/devices/k2/rekey")).status).toBe(409);

    // The gateway records the new key's hello; the old key's fingerprint no longer approves.
    await deviceEvent(app.store, "k2", "DeviceKeyPresented", { publicKey: second });
    expect(await device("k2")).toMatchObject({
      approval: "pending",
      keyFingerprint: keyFingerprint(second),
    });
    const old = await post("/v1/devices/k2/approve", { keyFingerprint: keyFingerprint(first) });
    expect(old.status).toBe(409);
    const now = await post("/v1/devices/k2/approve", { keyFingerprint: keyFingerprint(second) });
    expect(now.status).toBe(200);
    expect((await lastEvents("k2", 1))[0]?.data).toMatchObject({ publicKey: second });
  });

  it("reads a DeviceApproved as earlier releases wrote it (no key): the pending key was approved", async () => {
    await deviceEvent(app.store, "k3", "DeviceEnrolled", enrolled("k3", "main", {}));
    await app.store.append(
      deviceStreamId("k3"),
      [
        {
          type: "DeviceApproved",
          data: { by: "operator:old-release" },
          metadata: {
            actor: "operator:old",
            correlationId: "c",
            causationId: "c",
            now: new Date().toISOString(),
          },
        },
      ],
      { expectedVersion: 1 },
    );
    expect(await device("k3")).toMatchObject({
      approval: "approved",
      keyFingerprint: keyFingerprint(first),
    });
    expect((await post("/v1/devices/k3/rekey")).status).toBe(200);
  });
});
