import { duration, type MetricsView, metricsLines } from "./metrics-view.js";

const report: NonNullable<MetricsView["report"]> = {
  kind: "metrics",
  v: 1,
  deviceId: "d1",
  bootId: "b1",
  intervalSeconds: 15,
  at: "2026-01-01T00:00:00.000Z",
  runtime: "lxc",
  revision: "lab#3",
  uptimeSeconds: 93_784,
  cpu: { percent: 12.345, cores: 2, load1: 0.5 },
  memory: { totalBytes: 2 * 1024 ** 3, availableBytes: 1024 ** 3 },
  disk: { totalBytes: 10 * 1024 ** 3, freeBytes: 4 * 1024 ** 3 },
  containers: [
    { part: "app", name: "app.x", state: "RUNNING", restarts: 1 },
    { part: "net", name: "net.x", state: "STOPPED", restarts: 0 },
  ],
};
const view = (over: Partial<MetricsView>): MetricsView => ({
  freshness: "fresh",
  receivedAt: "2026-01-01T00:00:00.000Z",
  ageSeconds: 4.2,
  staleAfterSeconds: 45,
  report,
  ...over,
});

describe("metricsLines", () => {
  it("prints uptime, cpu, memory, disk and each container, and when it was last seen", () => {
    expect(metricsLines(view({}))).toEqual([
      "metrics    last seen 4 s ago",
      "uptime     1d 2h",
      "cpu        12.3 % of 2 cores (load 0.5)",
      "memory     1024.0 MiB used of 2048.0 MiB (1024.0 MiB available)",
      "disk free  4096.0 MiB of 10240.0 MiB",
      "containers app RUNNING, 1 restart",
      "           net STOPPED, 0 restarts",
    ]);
  });

  it("marks stale metrics, sim devices, and says when there are none", () => {
    expect(metricsLines(view({ freshness: "stale", ageSeconds: 300 }))[0]).toBe(
      "metrics    last seen 300 s ago STALE (older than 45 s)",
    );
    expect(metricsLines(view({ report: { ...report, runtime: "sim" } }))[0]).toMatch(
      /\(sim device/,
    );
    expect(metricsLines(view({ freshness: "absent", report: null }))).toEqual([
      "metrics    none received",
    ]);
    expect(metricsLines(undefined)).toEqual([]);
  });

  it("words durations as an operator reads them", () => {
    expect([12, 250, 7500, 200_000].map(duration)).toEqual(["12s", "4m 10s", "2h 5m", "2d 7h"]);
  });
});
