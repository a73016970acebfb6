import { setTimeout as sleep } from "node:timers/promises";
import { fromDevice } from "../devices/device-history.test-helper.js";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";

interface Page {
  items: { eventId: string }[];
  resume: string | null;
}

const online = (deviceId: string, i: number) => ({
  type: "DeviceCameOnline",
  data: { bootId: `boot-${i}` },
  metadata: fromDevice(deviceId),
});

describe("audit pagination under concurrent appends", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A transaction that appends, stays open a while, then commits (or rolls back). */
  async function slowTransaction(deviceId: string, holdMs: number, commit: boolean): Promise<void> {
    const client = await app.pool.connect();
    try {
      await client.query("BEGIN");
      await app.store.append(`device:${deviceId}`, [online(deviceId, 0), online(deviceId, 1)], {
        expectedVersion: "any",
        client,
      });
      await sleep(holdMs);
      await client.query(commit ? "COMMIT" : "ROLLBACK");
    } finally {
      client.release();
    }
  }

  async function steadyWriter(deviceId: string, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      await app.store.append(`device:${deviceId}`, [online(deviceId, i)], {
        expectedVersion: "any",
      });
      await sleep(Math.random() * 8);
    }
  }

  it("never skips or repeats an event, including ones committed late, never shows rolled-back ones", async () => {
    let writing = true;
    const writers = Promise.all([
      steadyWriter("w1", 40),
      steadyWriter("w2", 40),
      steadyWriter("w3", 40),
      slowTransaction("slow1", 400, true),
      slowTransaction("slow2", 900, true),
      slowTransaction("gone1", 300, false),
      (async () => {
        await sleep(200);
        await slowTransaction("slow3", 500, true);
        await slowTransaction("gone2", 200, false);
      })(),
    ]).finally(() => {
      writing = false;
    });

    const seen: string[] = [];
    let cursor: string | null = null;
    // Keep reading small pages while writers run, then once more after they are done.
    for (let idle = 0; writing || idle < 2; ) {
      const res = await app.call(`/v1/events?limit=5${cursor ? `&cursor=${cursor}` : ""}`);
      const page = (await res.json()) as Page;
      seen.push(...page.items.map((e) => e.eventId));
      cursor = page.resume ?? cursor;
      if (page.items.length === 0) {
        if (!writing) idle++;
        await sleep(10);
      }
    }
    await writers;

    const { rows } = await app.pool.query<{ event_id: string; stream_id: string }>(
      "SELECT event_id, stream_id FROM events ORDER BY transaction_id, global_position",
    );
    expect(rows).toHaveLength(3 * 40 + 3 * 2);
    expect(rows.some((r) => r.stream_id.startsWith("device:gone"))).toBe(false);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(rows.map((r) => r.event_id));
  });
});
