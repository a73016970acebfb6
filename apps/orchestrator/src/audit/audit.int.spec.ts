import { setTimeout as sleep } from "node:timers/promises";
import { dbNow, deviceEvent, enrolled } from "../devices/device-history.test-helper.js";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";

interface Row {
  event_id: string;
  stream_id: string;
  type: string;
  data: Record<string, unknown> & {
    revision?: { fleet: string };
    fleet?: string;
    rolloutId?: string;
  };
  metadata: { actor: string; correlationId: string };
  recorded_at: Date;
}

interface Page {
  items: { eventId: string }[];
  next: string | null;
  resume: string | null;
}

const rev = (fleet: string, number: number) => ({ fleet, number });

describe("audit queries over HTTP", () => {
  let app: TestApp;
  let truth: Row[];
  let window: { from: string; to: string };

  /** Follows `next` cursors with a small page size, so paging itself is under test. */
  async function allPages(query: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await app.call(`/v1/events?limit=3&${query}${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page;
      ids.push(...page.items.map((e) => e.eventId));
      cursor = page.next;
    } while (cursor);
    return ids;
  }

  beforeAll(async () => {
    app = await startTestApp();
    await deviceEvent(app.store, "m1", "DeviceEnrolled", enrolled("m1", "main", {}), "corr-a");
    await deviceEvent(app.store, "o1", "DeviceEnrolled", enrolled("o1", "other", {}), "corr-a");
    await deviceEvent(app.store, "m1", "DeviceCameOnline", { bootId: "b" });
    await app.call("/v1/fleets/main/trust-policy", {
      method: "PUT",
      json: { mode: "lenient", trusted: [] },
      headers: { "x-correlation-id": "corr-op" },
    });
    await sleep(20);
    const from = await dbNow(app.pool);
    await deviceEvent(app.store, "m1", "TargetAssigned", {
      revision: rev("main", 1),
      digest: "e".repeat(64),
      seq: 1,
      rolloutId: "r1",
    });
    await deviceEvent(app.store, "o1", "TargetAssigned", {
      revision: rev("other", 4),
      digest: "f".repeat(64),
      seq: 1,
      rolloutId: "r2",
    });
    await deviceEvent(app.store, "m1", "UpdateProgressReported", {
      bootId: "b",
      seq: 1,
      revision: rev("main", 1),
      status: "DOWNLOADING",
      progress: 25,
    });
    const to = await dbNow(app.pool);
    await sleep(20);
    window = { from, to };
    await deviceEvent(
      app.store,
      "m1",
      "UpdateFailed",
      { revision: rev("main", 1), reason: "boot_failed", message: "no" },
      "corr-b",
    );
    await deviceEvent(app.store, "o1", "UpdateSucceeded", {
      revision: rev("other", 4),
      status: "DONE",
    });
    await app.call("/v1/tokens", {
      method: "POST",
      json: { name: "auditor", role: "viewer" },
      headers: { "x-correlation-id": "corr-op" },
    });
    // The fleet filter reads the device registry: let the projection see every device first.
    for (let i = 0; i < 200; i++) {
      const { rows } = await app.pool.query("SELECT count(*)::int AS n FROM device_registry");
      if (rows[0].n === 2) break;
      await sleep(25);
    }
    const { rows } = await app.pool.query<Row>(
      "SELECT event_id, stream_id, type, data, metadata, recorded_at FROM events ORDER BY transaction_id, global_position",
    );
    truth = rows;
  });
  afterAll(async () => {
    await app?.close();
  });

  const expected = (keep: (row: Row) => boolean) => truth.filter(keep).map((row) => row.event_id);

  it("pages through everything in commit order, each event once", async () => {
    expect(truth.length).toBe(10);
    expect(await allPages("")).toEqual(expected(() => true));
  });

  it("returns exactly the slice each filter selects", async () => {
    const deviceOfMain = (row: Row) => row.stream_id === "device:m1";
    const cases: [string, (row: Row) => boolean][] = [
      ["stream=device:o1", (r) => r.stream_id === "device:o1"],
      ["device=m1", deviceOfMain],
      ["rollout=r1", (r) => r.data.rolloutId === "r1"],
      [
        "fleet=main",
        (r) => r.data.fleet === "main" || r.data.revision?.fleet === "main" || deviceOfMain(r),
      ],
      [
        "fleet=other",
        (r) =>
          r.data.fleet === "other" ||
          r.data.revision?.fleet === "other" ||
          r.stream_id === "device:o1",
      ],
      [
        "type=TargetAssigned,UpdateFailed",
        (r) => ["TargetAssigned", "UpdateFailed"].includes(r.type),
      ],
      [
        "type=TargetAssigned&type=TrustPolicySet",
        (r) => ["TargetAssigned", "TrustPolicySet"].includes(r.type),
      ],
      ["actor=operator:admin", (r) => r.metadata.actor === "operator:admin"],
      ["actor=device:o1", (r) => r.metadata.actor === "device:o1"],
      ["correlationId=corr-a", (r) => r.metadata.correlationId === "corr-a"],
      ["correlationId=corr-op", (r) => r.metadata.correlationId === "corr-op"],
      [
        `from=${encodeURIComponent(window.from)}&to=${encodeURIComponent(window.to)}`,
        (r) => r.recorded_at >= new Date(window.from) && r.recorded_at < new Date(window.to),
      ],
      ["device=m1&type=TargetAssigned", (r) => deviceOfMain(r) && r.type === "TargetAssigned"],
    ];
    for (const [query, keep] of cases) {
      const want = expected(keep);
      expect(want.length, query).toBeGreaterThan(0);
      expect([query, await allPages(query)]).toEqual([query, want]);
    }
    expect(await allPages("device=nobody")).toEqual([]);
  });

  it("exports the same slices as NDJSON and CSV, streamed", async () => {
    const ndjson = await (await app.call("/v1/events?format=ndjson&fleet=main")).text();
    const lines = ndjson
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { eventId: string });
    expect(lines.map((e) => e.eventId)).toEqual(await allPages("fleet=main"));
    const csvRes = await app.call("/v1/events?format=csv&type=TargetAssigned");
    expect(csvRes.headers.get("content-type")).toContain("text/csv");
    const csv = (await csvRes.text()).trimEnd().split("\r\n");
    expect(csv[0]).toMatch(/^global_position,transaction_id,recorded_at,stream_id/);
    expect(csv.slice(1).map((line) => line.split(",")[5])).toEqual(
      expected((r) => r.type === "TargetAssigned"),
    );
    expect(csv[1]).toMatch(/,"\{""[a-z]+"":.*""revision"":\{""fleet"":""main""/);
  });

  it("refuses malformed filters and cursors with 400", async () => {
    for (const query of [
      "cursor=bogus!",
      "type=not-a-type",
      "from=yesterday",
      "limit=0",
      "format=xml",
      "from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
    ]) {
      const res = await app.call(`/v1/events?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
    }
  });

  it("tails new events live over SSE", async () => {
    const abort = new AbortController();
    const guard = setTimeout(() => abort.abort(), 15_000); // fail fast rather than hang
    const res = await app.call("/v1/events/stream?type=DeviceWentOffline", {
      signal: abort.signal,
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await deviceEvent(app.store, "m1", "DeviceCameOnline", { bootId: "c" });
    await deviceEvent(app.store, "m1", "DeviceWentOffline", {
      lastSeenAt: new Date().toISOString(),
    });
    let text = "";
    while (!text.includes("event: DeviceWentOffline")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    clearTimeout(guard);
    abort.abort();
    expect(text).toMatch(/id: [A-Za-z0-9_-]+\nevent: DeviceWentOffline\ndata: \{/);
    expect(text).not.toContain("DeviceCameOnline");
  });

  it("returns a rollout's own stream and the events naming it, each once, in commit order", async () => {
    const at = new Date().toISOString();
    const op = {
      actor: "operator:admin" as const,
      correlationId: "corr-r9",
      causationId: "corr-r9",
      now: at,
    };
    const rolloutEvent = (type: string, data: unknown) =>
      app.store.append("rollout:r9", [{ type, data, metadata: op }], { expectedVersion: "any" });
    const target = (deviceId: string, seq: number) =>
      deviceEvent(app.store, deviceId, "TargetAssigned", {
        revision: rev("main", 2),
        digest: "9".repeat(64),
        seq,
        rolloutId: "r9",
      });
    await target("m1", 2); // named before the rollout's own stream exists
    // RolloutCreated names the rollout in its data too: it must still come once.
    await rolloutEvent("RolloutCreated", {
      actor: "operator:admin",
      at,
      rolloutId: "r9",
      definition: {
        revision: rev("main", 2),
        selector: { fleet: "main" },
        waves: [{ size: { percent: 100 }, minSample: 1, soakSeconds: 0, maxFailures: {} }],
        policy: { onFailure: "pause", onSuccess: "next" },
      },
    });
    await target("o1", 2);
    await rolloutEvent("WaveStarted", { waveIndex: 0, at });
    await rolloutEvent("WaveTargetsAssigned", { waveIndex: 0, deviceIds: ["m1", "o1"], at });
    await target("m1", 3);
    await target("o1", 3);
    await rolloutEvent("WaveStarted", { waveIndex: 1, at });
    const { rows } = await app.pool.query<{ event_id: string }>(
      `SELECT event_id FROM events WHERE stream_id = 'rollout:r9' OR data->>'rolloutId' = 'r9'
       ORDER BY transaction_id, global_position`,
    );
    expect(rows).toHaveLength(8);
    // Pages of 3 cross from one branch to the other more than once.
    expect(await allPages("rollout=r9")).toEqual(rows.map((r) => r.event_id));
    expect(await allPages("rollout=r9&type=WaveStarted,TargetAssigned")).toEqual(
      (
        await app.pool.query<{ event_id: string }>(
          `SELECT event_id FROM events WHERE (stream_id = 'rollout:r9' OR data->>'rolloutId' = 'r9')
           AND type IN ('WaveStarted', 'TargetAssigned') ORDER BY transaction_id, global_position`,
        )
      ).rows.map((r) => r.event_id),
    );
  });
});
