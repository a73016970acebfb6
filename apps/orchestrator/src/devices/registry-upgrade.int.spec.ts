import { migrate } from "@statecast/events";
import pg from "pg";
import { orchestratorSchema } from "../app.module.js";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import { rolloutTransfer } from "../rollout/rollout-transfer.js";

const COLUMNS = "orchestrator-0006-registry-transfer-columns";
const running = (number: number) => ({ currentRevision: { fleet: "lab", number } });
const revision = { fleet: "lab", number: 3 };
const bytes = (needed: number, fetched: number, delta = 0, resumed = 0) => ({
  needed,
  fetched,
  delta,
  resumed,
});
const target = (rolloutId: string | null, number = 3) => ({
  revision: { fleet: "lab", number },
  rolloutId,
  assignedAt: "2026-11-30T10:00:00.000Z",
});

/**
 * Registry records as the release before migration 0006 stored them: the keys its projection
 * wrote, and one record older still, from before the registry kept transfers at all (issue 21).
 */
const previousRecords: Record<string, object> = {
  a: {
    ...running(3),
    target: target("r1"),
    transfer: { last: { revision, ...bytes(100, 60, 40) }, total: bytes(100, 60, 40) },
  },
  b: {
    ...running(3),
    target: target("r1"),
    transfer: { last: { revision, ...bytes(50, 50, 0, 10) }, total: bytes(90, 90) },
  },
  // Its last apply is of the fleet's previous revision: not this rollout's bytes.
  c: {
    ...running(2),
    target: target("r1"),
    transfer: {
      last: { revision: { fleet: "lab", number: 2 }, ...bytes(7, 7) },
      total: bytes(7, 7),
    },
  },
  // No transfer key: stored before the registry had one.
  d: { target: target("r1") },
  e: {
    target: target("r2"),
    transfer: { last: { revision, ...bytes(1000, 1000) }, total: bytes(1000, 1000) },
  },
  f: { target: null, transfer: { last: null, total: bytes(0, 0) } },
};

async function previousRelease(url: string): Promise<void> {
  // Every migration before 0006, none after.
  await migrate(
    url,
    orchestratorSchema.slice(
      0,
      orchestratorSchema.findIndex((m) => m.id === COLUMNS),
    ),
  );
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const [id, record] of Object.entries(previousRecords)) {
      await client.query(
        `INSERT INTO device_registry (device_id, fleet, approval, last_status, record)
         VALUES ($1, 'lab', 'approved', 'DONE', $2)`,
        [id, { deviceId: id, fleet: "lab", approval: "approved", ...record }],
      );
    }
  } finally {
    await client.end();
  }
}

describe("the device registry the release before migrations 0006 and 0007 filled", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ prepare: previousRelease });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("sums the stored records' last transfers once the columns are added", async () => {
    expect(await rolloutTransfer(app.pool, "r1", revision)).toEqual({
      devices: 2,
      ...bytes(150, 110, 40, 10),
    });
    expect(await rolloutTransfer(app.pool, "r2", revision)).toEqual({
      devices: 1,
      ...bytes(1000, 1000),
    });
    expect(await rolloutTransfer(app.pool, "r3", revision)).toEqual({ devices: 0, ...bytes(0, 0) });
  });

  it("lists devices by running revision from the stored records (0007's column)", async () => {
    const ids = async (revision: number) => {
      const res = await app.call(`/v1/devices?fleet=lab&revision=${revision}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: { deviceId: string }[] };
      return page.items.map((d) => d.deviceId);
    };
    expect(await ids(3)).toEqual(["a", "b"]);
    expect(await ids(2)).toEqual(["c"]);
  });

  it("follows the record as the projection rewrites it", async () => {
    const moved = {
      ...previousRecords.e,
      deviceId: "e",
      target: target("r1"),
      transfer: { last: { revision, ...bytes(20, 5) }, total: bytes(1020, 1005) },
    };
    await app.pool.query("UPDATE device_registry SET record = $2 WHERE device_id = $1", [
      "e",
      moved,
    ]);
    expect(await rolloutTransfer(app.pool, "r1", revision)).toEqual({
      devices: 3,
      ...bytes(170, 115, 40, 10),
    });
    expect((await rolloutTransfer(app.pool, "r2", revision)).devices).toBe(0);
  });
});
