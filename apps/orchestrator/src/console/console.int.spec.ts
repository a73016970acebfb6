import { existsSync } from "node:fs";
import { join } from "node:path";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import { CONSOLE_CSP, defaultConsoleDir } from "./serve-console.js";

/** Needs the built console (`npm run build` builds it; `npm test` builds before this tier). */
describe("the console served by the orchestrator", () => {
  let app: TestApp;
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, { headers, redirect: "manual" });

  beforeAll(async () => {
    const index = join(defaultConsoleDir(), "index.html");
    if (!existsSync(index)) throw new Error(`${index} is missing: run \`npm run build\` first`);
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("serves the page for its own routes with a same-origin CSP, revalidated on each load", async () => {
    expect((await get("/")).headers.get("location")).toBe("/console/");
    for (const path of ["/console/", "/console/rollouts/r1", "/console/devices/d-1?at=x"]) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(response.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
      expect(await response.text()).toContain('<div id="app">');
    }
    const etag = (await get("/console/")).headers.get("etag") as string;
    expect((await get("/console/", { "If-None-Match": etag })).status).toBe(304);
  });

  it("serves hashed assets as immutable, and a missing asset is a 404, not the page", async () => {
    const html = await (await get("/console/")).text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1] as string;
    expect(script).toBeDefined();
    const asset = await get(script);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await get("/console/assets/nope-123.js")).status).toBe(404);
    // Nothing in the page loads from another origin.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it("leaves the API alone: its routes, 404s and token checks are unchanged", async () => {
    expect((await get("/v1/whoami")).status).toBe(401);
    expect((await get("/v1/nope")).status).toBe(404);
    expect((await app.call("/v1/whoami")).status).toBe(200);
  });
});
