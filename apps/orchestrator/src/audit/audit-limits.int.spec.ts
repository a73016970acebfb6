import { setTimeout as sleep } from "node:timers/promises";
import { deviceEvent } from "../devices/device-history.test-helper.js";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";

interface ErrorBody {
  error: string;
  message: string;
}

/** Bounds of the audit API: per-token concurrency (429), statement timeout (503), caps. */
describe("audit API bounds", () => {
  let app: TestApp;
  let viewer: string;

  beforeAll(async () => {
    app = await startTestApp({
      env: {
        STATECAST_STATEMENT_TIMEOUT_MS: "1500",
        STATECAST_AUDIT_QUERIES_PER_TOKEN: "2",
        STATECAST_AUDIT_TAILS_PER_TOKEN: "2",
        STATECAST_AUDIT_EXPORT_MAX_ROWS: "3",
        STATECAST_AUDIT_TAIL_MAX_SECONDS: "2",
      },
    });
    for (let i = 0; i < 7; i++)
      await deviceEvent(app.store, "d1", "DeviceCameOnline", { bootId: `b${i}` });
    const created = await app.call("/v1/tokens", {
      method: "POST",
      json: { name: "auditor", role: "viewer" },
    });
    viewer = ((await created.json()) as { secret: string }).secret;
  });
  afterAll(async () => {
    await app?.close();
  });

  it("refuses a token's query beyond its bound (429) and cancels one past the statement timeout (503), while other requests answer", async () => {
    const locker = await app.pool.connect();
    try {
      // Every read of the events table now waits: the two queries below hold their slots.
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE events IN ACCESS EXCLUSIVE MODE");
      const started = Date.now();
      const held = [app.call("/v1/events?limit=5"), app.call("/v1/events?format=ndjson")];
      await sleep(300);
      const refused = await app.call("/v1/events?format=csv");
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("1");
      const body = (await refused.json()) as ErrorBody;
      expect(body.error).toBe("too_busy");
      expect(body.message).toContain("STATECAST_AUDIT_QUERIES_PER_TOKEN");
      // Another token has its own slots; requests that need no events answer meanwhile.
      const otherToken = app.call("/v1/events", { token: viewer });
      const before = Date.now();
      expect((await app.call("/v1/devices")).status).toBe(200);
      expect(Date.now() - before).toBeLessThan(1000);

      const answers = await Promise.all([...held, otherToken]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      for (const answer of answers) {
        expect(answer.status).toBe(503);
        expect(answer.headers.get("retry-after")).toBe("5");
        expect(answer.headers.get("content-type")).toContain("application/json");
        const timedOut = (await answer.json()) as ErrorBody;
        expect(timedOut.error).toBe("timed_out");
        expect(timedOut.message).toContain("STATECAST_STATEMENT_TIMEOUT_MS");
      }
    } finally {
      await locker.query("ROLLBACK");
      locker.release();
    }
    // The slots and the pool's connections came back.
    for (let i = 0; i < 3; i++) expect((await app.call("/v1/events")).status).toBe(200);
  });

  it("cuts an export at its row cap with the cursor to go on from; following it gives every event once", async () => {
    const all: string[] = [];
    let cursor: string | undefined;
    let requests = 0;
    do {
      const res = await app.call(`/v1/events?format=ndjson${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const lines = (await res.text()).trim().split("\n").filter(Boolean);
      const parsed = lines.map(
        (line) => JSON.parse(line) as { eventId?: string; truncated?: boolean; next?: string },
      );
      const trailer = parsed.at(-1)?.truncated ? parsed.pop() : undefined;
      expect(parsed.length).toBeLessThanOrEqual(3);
      all.push(...parsed.map((e) => e.eventId as string));
      cursor = trailer?.next;
      requests += 1;
    } while (cursor);
    const { rows } = await app.pool.query<{ event_id: string }>(
      "SELECT event_id FROM events ORDER BY transaction_id, global_position",
    );
    expect(all).toEqual(rows.map((r) => r.event_id));
    expect(requests).toBe(Math.ceil(rows.length / 3) + (rows.length % 3 === 0 ? 1 : 0));

    const csv = (await (await app.call("/v1/events?format=csv")).text()).trimEnd().split("\r\n");
    expect(csv).toHaveLength(5);
    expect(csv[4]).toMatch(
      /^# truncated after 3 rows \(STATECAST_AUDIT_EXPORT_MAX_ROWS\); continue with cursor=[A-Za-z0-9_-]+$/,
    );
  });

  it("bounds live tails per token and in time", async () => {
    const aborts: AbortController[] = [];
    const open = (token?: string) => {
      const abort = new AbortController();
      aborts.push(abort);
      return app.call("/v1/events/stream", {
        signal: abort.signal,
        ...(token ? { token } : {}),
      });
    };
    try {
      const first = await open();
      const second = await open();
      expect([first.status, second.status]).toEqual([200, 200]);
      const third = await open();
      expect(third.status).toBe(429);
      expect(third.headers.get("retry-after")).toBe("5");
      expect(((await third.json()) as ErrorBody).message).toContain(
        "STATECAST_AUDIT_TAILS_PER_TOKEN",
      );
      expect((await open(viewer)).status).toBe(200);
      // The tail ends by itself after its time bound, saying how to go on.
      const began = Date.now();
      const text = await first.text();
      expect(Date.now() - began).toBeLessThan(5000);
      expect(text).toContain(": tail closed after 2 s; reconnect with Last-Event-ID");
      await second.text();
      expect((await open()).status).toBe(200);
    } finally {
      for (const abort of aborts) abort.abort();
    }
  });
});
