import type { DeviceMetrics } from "@statecast/contract";
import { metricsView } from "./device-metrics.view.js";

const report: DeviceMetrics = {
  kind: "metrics",
  v: 1,
  deviceId: "d1",
  bootId: "b1",
  runtime: "lxc",
  intervalSeconds: 15,
  uptimeSeconds: 100,
  cpu: { percent: 3, cores: 2, load1: 0.1 },
  memory: { totalBytes: 10, availableBytes: 5 },
  disk: { totalBytes: 10, freeBytes: 5 },
  containers: [],
  at: "2026-01-01T00:00:00.000Z",
};
const received = new Date("2026-01-01T00:00:00.000Z");
const later = (seconds: number) => new Date(received.getTime() + seconds * 1000);

describe("metricsView", () => {
  it("is fresh within three of the device's intervals, with its age", () => {
    expect(metricsView(report, received, later(12.34))).toEqual({
      freshness: "fresh",
      receivedAt: "2026-01-01T00:00:00.000Z",
      ageSeconds: 12.3,
      staleAfterSeconds: 45,
      report,
    });
    expect(metricsView(report, received, later(45)).freshness).toBe("fresh");
  });

  it("is stale past them", () => {
    expect(metricsView(report, received, later(46))).toMatchObject({
      freshness: "stale",
      ageSeconds: 46,
    });
  });

  it("never shows a negative age when clocks disagree", () => {
    expect(metricsView(report, received, later(-3)).ageSeconds).toBe(0);
  });
});
