import { MAX_METRICS_BYTES, parseDeviceMetrics } from "./device-metrics.js";

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const metrics = {
  kind: "metrics",
  v: 1,
  deviceId: "d1",
  bootId: "boot-a",
  runtime: "lxc",
  revision: "lab#3",
  intervalSeconds: 15,
  uptimeSeconds: 1234.5,
  cpu: { percent: 12.5, cores: 2, load1: 0.4 },
  memory: { totalBytes: 2_000_000_000, availableBytes: 1_000_000_000 },
  disk: { totalBytes: 10_000_000_000, freeBytes: 4_000_000_000 },
  containers: [{ part: "app", name: "app.lab-3", state: "RUNNING", restarts: 2 }],
  at: "2026-01-01T00:00:00.000Z",
};

describe("parseDeviceMetrics", () => {
  it("accepts what the agent sends", () => {
    expect(parseDeviceMetrics(bytes(metrics), "d1")).toEqual({ ok: true, metrics });
  });

  it("calls metrics naming another device on this subject a spoof", () => {
    expect(parseDeviceMetrics(bytes(metrics), "d2")).toMatchObject({
      ok: false,
      reason: "spoofed",
    });
  });

  it.each([
    ["not JSON", new TextEncoder().encode("{nope")],
    ["not UTF-8", new Uint8Array([0x7b, 0xff, 0x7d])],
    ["unknown field", bytes({ ...metrics, extra: 1 })],
    ["another version", bytes({ ...metrics, v: 2 })],
    ["cpu over 100 %", bytes({ ...metrics, cpu: { ...metrics.cpu, percent: 101 } })],
    ["negative bytes", bytes({ ...metrics, disk: { totalBytes: 1, freeBytes: -1 } })],
    ["an interval below the floor", bytes({ ...metrics, intervalSeconds: 1 })],
    [
      "an unknown container state",
      bytes({ ...metrics, containers: [{ ...metrics.containers[0], state: "ZOMBIE" }] }),
    ],
    [
      "too many containers",
      bytes({ ...metrics, containers: Array.from({ length: 65 }, () => metrics.containers[0]) }),
    ],
    ["oversized", bytes({ ...metrics, bootId: "x".repeat(MAX_METRICS_BYTES) })],
  ])("refuses %s as malformed, without throwing", (_, payload) => {
    const parsed = parseDeviceMetrics(payload, "d1");
    expect(parsed).toMatchObject({ ok: false, reason: "malformed" });
    expect(parsed.ok ? "" : parsed.detail).not.toBe("");
  });
});
