import { setTimeout as sleep } from "node:timers/promises";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import { dbNow, deviceEvent, enrolled } from "./device-history.test-helper.js";

const rev = (number: number) => ({ fleet: "main", number });
const digest = "d".repeat(64);

describe("devices over HTTP", () => {
  let app: TestApp;
  const instants: Record<string, string> = {};

  async function device(id: string, at?: string) {
    const res = await app.call(`/v1/devices/${id}${at ? `?at=${encodeURIComponent(at)}` : ""}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function until(check: () => Promise<boolean>) {
    for (let i = 0; i < 200 && !(await check()); i++) await sleep(25);
  }

  beforeAll(async () => {
    app = await startTestApp();
    const mark = async (name: string) => {
      await sleep(5);
      instants[name] = await dbNow(app.pool);
      await sleep(5);
    };
    await mark("beforeEnrolment");
    await deviceEvent(app.store, "d1", "DeviceEnrolled", enrolled("d1", "main", { site: "a" }));
    await deviceEvent(app.store, "d1", "DeviceCameOnline", { bootId: "b1" });
    await mark("online");
    await deviceEvent(app.store, "d1", "TargetAssigned", {
      revision: rev(2),
      digest,
      seq: 1,
      rolloutId: "r1",
    });
    await mark("targeted");
    await deviceEvent(app.store, "d1", "UpdateSucceeded", { revision: rev(2), status: "DONE" });
    await mark("updated");
    await deviceEvent(app.store, "d1", "DeviceRolledBack", {
      from: rev(2),
      to: rev(1),
      reason: "boot_failed",
    });
    await mark("rolledBack");
    await deviceEvent(app.store, "d2", "DeviceEnrolled", {
      ...enrolled("d2", "other", { site: "b" }),
      enrolledWith: "token",
    });
    await deviceEvent(app.store, "d3", "DeviceEnrolled", enrolled("d3", "main", { site: "b" }));
    await deviceEvent(app.store, "d3", "UpdateFailed", {
      revision: rev(2),
      reason: "container_exited",
      message: "x",
    });
    await until(
      async () =>
        (await device("d3")).body.version === 2 && (await device("d1")).body.version === 5,
    );
  });
  afterAll(async () => {
    await app?.close();
  });

  it("shows the registry projection of each device", async () => {
    expect((await device("d1")).body).toMatchObject({
      deviceId: "d1",
      fleet: "main",
      tags: { site: "a" },
      approval: "pending",
      currentRevision: rev(1),
      target: { revision: rev(2), seq: 1, rolloutId: "r1" },
      lastReason: "boot_failed",
      online: true,
    });
    expect((await device("nope")).status).toBe(404);
    expect((await app.call("/v1/devices/bad%20id")).status).toBe(400);
  });

  it("filters by fleet, tag, status and presence, with keyset pagination", async () => {
    const ids = async (query: string) =>
      (
        (await (await app.call(`/v1/devices?${query}`)).json()) as { items: { deviceId: string }[] }
      ).items.map((d) => d.deviceId);
    expect(await ids("fleet=main")).toEqual(["d1", "d3"]);
    expect(await ids("tag=site=b")).toEqual(["d2", "d3"]);
    expect(await ids("tag=site")).toEqual(["d1", "d2", "d3"]);
    expect(await ids("status=ERROR")).toEqual(["d3"]);
    // A device that reports (d3 failed an update) is online; d2 only enrolled.
    expect(await ids("presence=online")).toEqual(["d1", "d3"]);
    expect(await ids("presence=offline")).toEqual(["d2"]);
    expect(await ids("approval=approved")).toEqual(["d2"]);
    const page1 = (await (await app.call("/v1/devices?limit=2")).json()) as {
      items: unknown[];
      next: string;
    };
    expect(page1.items).toHaveLength(2);
    const page2 = (await (await app.call(`/v1/devices?limit=2&after=${page1.next}`)).json()) as {
      items: { deviceId: string }[];
      next: string | null;
    };
    expect(page2.items.map((d) => d.deviceId)).toEqual(["d3"]);
    expect(page2.next).toBeNull();
    expect((await app.call("/v1/devices?status=BOGUS")).status).toBe(400);
  });

  it("filters by running revision and counts devices by revision, status and presence", async () => {
    const ids = async (query: string) =>
      (
        (await (await app.call(`/v1/devices?${query}`)).json()) as { items: { deviceId: string }[] }
      ).items.map((d) => d.deviceId);
    // d1 rolled back to revision 1; d2 and d3 never reported one.
    expect(await ids("revision=1")).toEqual(["d1"]);
    expect(await ids("revision=2")).toEqual([]);
    expect((await app.call("/v1/devices?revision=zero")).status).toBe(400);
    const summary = await (await app.call("/v1/devices/summary")).json();
    expect(summary).toEqual({
      total: 3,
      online: 2,
      offline: 1,
      drifted: 1, // d1 runs revision 1 with revision 2 as its target
      byRevision: [
        { fleet: "main", number: 1, count: 1 },
        { fleet: null, number: null, count: 2 },
      ],
      byStatus: expect.arrayContaining([
        { status: "ERROR", count: 1 },
        { status: null, count: 1 },
      ]),
    });
    const main = await (await app.call("/v1/devices/summary?fleet=main")).json();
    expect(main).toMatchObject({ total: 2, online: 2, offline: 0 });
  });

  it("time travels: the device as it was before and after its target and its rollback", async () => {
    expect((await device("d1", instants.beforeEnrolment)).status).toBe(404);
    expect((await device("d1", instants.online)).body).toMatchObject({
      online: true,
      target: null,
      currentRevision: null,
      lastStatus: null,
    });
    expect((await device("d1", instants.targeted)).body).toMatchObject({
      target: { revision: rev(2) },
      lastStatus: "NEW",
      currentRevision: null,
    });
    expect((await device("d1", instants.updated)).body).toMatchObject({
      currentRevision: rev(2),
      lastStatus: "DONE",
    });
    expect((await device("d1", instants.rolledBack)).body).toMatchObject({
      currentRevision: rev(1),
      lastReason: "boot_failed",
    });
    expect((await app.call("/v1/devices/d1?at=yesterday")).status).toBe(400);
  });

  it("lists a device's history in stream order", async () => {
    const history = (await (await app.call("/v1/devices/d1/history")).json()) as {
      type: string;
      streamVersion: number;
    }[];
    expect(history.map((e) => e.type)).toEqual([
      "DeviceEnrolled",
      "DeviceCameOnline",
      "TargetAssigned",
      "UpdateSucceeded",
      "DeviceRolledBack",
    ]);
    const tail = (await (await app.call("/v1/devices/d1/history?after=3&limit=1")).json()) as {
      streamVersion: number;
    }[];
    expect(tail.map((e) => e.streamVersion)).toEqual([4]);
  });

  it("edits tags, approves and decommissions as events carrying the operator", async () => {
    const tagged = await app.call("/v1/devices/d1", {
      method: "PATCH",
      json: { tags: { site: "c", rack: "7" } },
    });
    expect(tagged.status).toBe(200);
    expect(await tagged.json()).toMatchObject({ tags: { site: "c", rack: "7" } });
    const approved = await app.call("/v1/devices/d1/approve", { method: "POST" });
    expect(await approved.json()).toMatchObject({ approval: "approved" });
    expect((await app.call("/v1/devices/d1/approve", { method: "POST" })).status).toBe(409);
    const gone = await app.call("/v1/devices/d1/decommission", {
      method: "POST",
      json: { reason: "broken" },
    });
    expect(await gone.json()).toMatchObject({ approval: "decommissioned", online: false });
    const { rows } = await app.pool.query(
      "SELECT type, metadata->>'actor' AS actor FROM events WHERE stream_id = 'device:d1' AND stream_version > 5 ORDER BY stream_version",
    );
    expect(rows).toEqual([
      { type: "DeviceTagsChanged", actor: "operator:admin" },
      { type: "DeviceApproved", actor: "operator:admin" },
      { type: "DeviceDecommissioned", actor: "operator:admin" },
    ]);
  });

  it("refuses bad commands without writing", async () => {
    const before = await app.eventCount();
    expect(
      (await app.call("/v1/devices/d1", { method: "PATCH", json: { tags: { a: "b" } } })).status,
    ).toBe(409);
    expect((await app.call("/v1/devices/ghost/approve", { method: "POST" })).status).toBe(404);
    expect(
      (await app.call("/v1/devices/d3", { method: "PATCH", json: { tags: "x" } })).status,
    ).toBe(400);
    expect(
      (await app.call("/v1/devices/d3", { method: "PATCH", json: { tags: { a: 1 } } })).status,
    ).toBe(400);
    expect((await app.call("/v1/devices/d3/approve", { method: "POST", token: null })).status).toBe(
      401,
    );
    expect(await app.eventCount()).toBe(before);
  });
});
