// bench:dashboard — the console's device list at fleet scale: N devices in the registry, the first
// page timed in Debian's chromium (navigation start → 50 rows on screen) next to the API call it
// makes (its floor). Prints one JSON object as its last line.
import { chmodSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { PostgresEventStore } from "@statecast/events";
import { freePort, startEmbeddedPostgres, startNatsServer } from "@statecast/infra";
import pg from "pg";
import { spawnService } from "../../apps/launcher/src/service-process.js";
import { waitUntilReady } from "../../apps/launcher/src/wait-ready.js";
import { orchestratorRegistry } from "../../apps/orchestrator/src/projections/projections.module.js";
import { enrollSimDevices } from "../../apps/orchestrator/src/testing/rollout-sim/device-sim.test-helper.js";
import { type InPage, launchBrowser } from "../../test/e2e/console-browser.test-helper.js";
import { waitFor } from "../rollout/probes.js";
import { benchTeardown } from "../teardown.js";

const { values: args } = parseArgs({
  options: {
    devices: { type: "string", default: "10000" },
    runs: { type: "string", default: "7" },
  },
});
const devices = Number(args.devices);
const runs = Number(args.runs);
if (!Number.isInteger(devices) || devices < 100)
  throw new Error(`--devices must be a whole number ≥ 100, got ${args.devices}`);
const PAGE = 50; // what the console's device list asks for
const TOKEN = "bench-admin-token-0123456789abcdef";
const log = (message: string) => process.stderr.write(`${message}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const teardown = benchTeardown(log);
const dir = mkdtempSync(join(tmpdir(), "statecast-bench-dashboard-"));
teardown.removeAtEnd(dir);
chmodSync(dir, 0o755); // the server runs as the postgres user when we are root
const postgres = await startEmbeddedPostgres({ dataDir: join(dir, "pg") });
teardown.add(
  "Postgres",
  () => postgres.stop(),
  () => [postgres.pid],
);
const nats = await startNatsServer({ storeDir: join(dir, "nats") });
teardown.add(
  "nats-server",
  () => nats.stop(),
  () => [nats.process.pid],
);
const admin = new pg.Client({ connectionString: postgres.url() });
await admin.connect();
await admin.query("CREATE DATABASE bench_dashboard");
await admin.end();
const url = postgres.url("bench_dashboard");
// The BUILT orchestrator (as deployed, serving the built console), as a child process.
const port = await freePort();
const service = {
  url: `http://127.0.0.1:${port}`,
  process: spawnService({
    name: "orchestrator",
    entry: fileURLToPath(new URL("../../apps/orchestrator/dist/main.js", import.meta.url)),
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: url,
      NATS_URL: nats.url,
      STATECAST_DATA_DIR: join(dir, "data"),
      STATECAST_ADMIN_TOKEN: TOKEN,
      STATECAST_LOG_LEVEL: "error",
      STATECAST_HTTP_PORT: String(port),
    },
    output: log,
  }),
};
teardown.add(
  "the orchestrator",
  () => service.process.stop(10_000),
  () => [service.process.pid],
);
await waitUntilReady(service.process, service.url);
const pool = new pg.Pool({ connectionString: url, max: 24 });
teardown.add("the pool", () => pool.end());
const store = new PostgresEventStore(pool, orchestratorRegistry());
teardown.add("the store", () => store.close());
const browser = await launchBrowser();
teardown.add("the browser", () => browser.close());

/** The API call the console's first page makes, alone (ms, body parsed). */
async function apiCall(query: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${service.url}/v1/devices?${query}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const body = (await res.json()) as { items: unknown[] };
  if (!res.ok || body.items.length !== PAGE) throw new Error(`/v1/devices?${query}: ${res.status}`);
  return performance.now() - t0;
}

try {
  const fleet = "bench";
  log(`enrolling ${devices} devices…`);
  const ids = Array.from({ length: devices }, (_, i) => ({
    deviceId: `dev-${String(i).padStart(5, "0")}`,
    fleet,
    tags: { site: `site-${i % 20}` },
  }));
  await enrollSimDevices(store, ids, { fleet, number: 1 }, 24);
  await waitFor("the device registry to hold every device", 300_000, async () => {
    const { rows } = await pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM device_registry",
    );
    return (rows[0]?.n ?? 0) >= devices;
  });
  await pool.query("ANALYZE device_registry");

  const page = await browser.newPage();
  await page.goto(`${service.url}/console/`);
  await page.getByLabel("API token").fill(TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Sections" }).waitFor();
  const pageMs: number[] = [];
  const apiMs: number[] = [];
  const filteredApiMs: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    // A full load of /console/devices: the bundle, whoami, then the first page of devices.
    await page.goto(`${service.url}/console/devices`);
    await page.waitForFunction(
      // Cast: this runs in the browser, whose globals Node's lib types do not describe.
      (n) =>
        [
          ...(globalThis as unknown as InPage).document.querySelectorAll(
            "[data-testid=device-table] tbody tr",
          ),
        ].length === n,
      PAGE,
    );
    const ms = await page.evaluate(() => performance.now());
    const api = await apiCall(`limit=${PAGE}`);
    const filtered = await apiCall(`limit=${PAGE}&revision=1&tag=site=site-3&presence=online`);
    if (i === 0) continue; // the first load warms caches on both sides
    pageMs.push(ms);
    apiMs.push(api);
    filteredApiMs.push(filtered);
  }
  const [load1, load5] = (await import("node:os")).loadavg();
  console.log(
    JSON.stringify({
      devices,
      runs,
      first_page_ms: Math.round(median(pageMs)),
      api_ms: Number(median(apiMs).toFixed(1)),
      filtered_api_ms: Number(median(filteredApiMs).toFixed(1)),
      target_first_page_ms: 1000,
      load_average: [Number(load1?.toFixed(1)), Number(load5?.toFixed(1))],
    }),
  );
  if (browser.log.errors.length > 0)
    throw new Error(`browser console errors: ${JSON.stringify(browser.log.errors)}`);
} finally {
  await teardown.run();
}
