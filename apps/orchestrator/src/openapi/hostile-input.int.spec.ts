import {
  type HostileRequest,
  hostileRequests,
  type OpenApiDocument,
} from "./hostile-input.test-helper.js";
import { startTestApp, type TestApp } from "./test-app.test-helper.js";

/** A refusal takes at most this long, whatever the input (work linear in a bounded input). */
const BOUND_MS = 5_000;

/**
 * Every route of the operator API's OpenAPI document, swept with hostile inputs (out-of-range
 * integers, NUL and control characters, deep nesting, huge objects and arrays, unknown and
 * prototype-named fields): each gets a 4xx with a JSON error naming the problem, within
 * BOUND_MS, and nothing is written.
 */
describe("hostile input on every operator API route", () => {
  let app: TestApp;
  let requests: HostileRequest[];

  beforeAll(async () => {
    app = await startTestApp();
    const doc = (await (await app.call("/docs-json")).json()) as OpenApiDocument;
    requests = hostileRequests(doc);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it("answers each with a clear 4xx, in bounded time, writing nothing", async () => {
    expect(Object.keys(requests).length).toBeGreaterThan(100);
    const before = await app.eventCount();
    const failures: string[] = [];
    const queue = [...requests];
    const send = async (request: HostileRequest) => {
      const started = Date.now();
      let outcome: string | undefined;
      try {
        const res = await app.call(request.path, {
          method: request.method,
          ...(request.body !== undefined ? { body: request.body } : {}),
          headers: request.contentType ? { "content-type": request.contentType } : {},
          signal: AbortSignal.timeout(BOUND_MS * 2),
        });
        const text = await res.text();
        const body = safeJson(text) as { message?: unknown } | undefined;
        if (res.status < 400 || res.status >= 500) outcome = `${res.status} ${text.slice(0, 200)}`;
        else if (request.method !== "HEAD" && typeof body?.message !== "string")
          outcome = `${res.status} without a message`;
      } catch (error) {
        outcome = `no answer: ${(error as Error).message}`;
      }
      const took = Date.now() - started;
      if (!outcome && took > BOUND_MS) outcome = `took ${took} ms`;
      if (outcome) failures.push(`${request.what} → ${outcome}`);
    };
    // Two at a time: a request that blocks the event loop shows up as the other one's delay too.
    const worker = async () => {
      for (let r = queue.shift(); r; r = queue.shift()) await send(r);
    };
    await Promise.all([worker(), worker()]);
    expect(failures).toEqual([]);
    expect(await app.eventCount()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, 300_000);
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
