import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";

describe("GET /v1/devices/:id/logs input", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it("400 naming the field for a bad device id or query, nothing written", async () => {
    const before = await app.eventCount();
    const bad: [string, string][] = [
      ["/v1/devices/d1/logs?part=-x", "part must be a part name or agent"],
      ["/v1/devices/d1/logs?since=yesterday", "since must be an ISO-8601 instant"],
      ["/v1/devices/d1/logs?since=2026-02-30T00:00:00Z", "since must be an ISO-8601 instant"],
      ["/v1/devices/d1/logs?follow=yes", "follow must be true or false"],
      ["/v1/devices/d1/logs?tail=5", "tail"],
      ["/v1/devices/d%3A1/logs", "device id must be"],
    ];
    for (const [path, problem] of bad) {
      const res = await app.call(path);
      expect(res.status, path).toBe(400);
      expect(JSON.stringify(await res.json()), path).toContain(problem);
    }
    expect(await app.eventCount()).toBe(before);
  });
});
