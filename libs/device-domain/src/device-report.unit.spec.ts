import { MAX_REPORT_BYTES, parseDeviceMessage } from "./device-report.js";

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const report = {
  deviceId: "d1",
  bootId: "boot-a",
  seq: 1,
  revision: "fleet#2",
  status: "DOWNLOADING",
  progress: 25,
  message: "fetching",
  downloads: { totalBytes: 10, fetchedBytes: 5, objects: 2, objectsFetched: 1 },
  runtime: "sim",
  at: "2026-01-01T00:00:00.000Z",
};

describe("parseDeviceMessage", () => {
  it("accepts the agent's report and parses the revision", () => {
    const parsed = parseDeviceMessage(bytes(report), "d1");
    expect(parsed).toMatchObject({
      ok: true,
      message: { kind: "progress", revision: { fleet: "fleet", number: 2 } },
    });
  });

  it("calls a report naming another device on this subject a spoof", () => {
    expect(parseDeviceMessage(bytes(report), "d2")).toMatchObject({ ok: false, reason: "spoofed" });
  });

  it.each([
    ["not JSON", new TextEncoder().encode("{nope")],
    ["unknown field", bytes({ ...report, extra: 1 })],
    ["huge message", bytes({ ...report, message: "x".repeat(5000) })],
    ["bad revision", bytes({ ...report, revision: "fleet-2" })],
    ["ERROR without reason", bytes({ ...report, status: "ERROR" })],
    ["oversized payload", new Uint8Array(MAX_REPORT_BYTES + 1)],
  ])("refuses %s as malformed", (_name, payload) => {
    expect(parseDeviceMessage(payload, "d1")).toMatchObject({ ok: false, reason: "malformed" });
  });

  it("accepts a heartbeat", () => {
    const beat = { kind: "heartbeat", deviceId: "d1", bootId: "b", at: "2026-01-01T00:00:00Z" };
    expect(parseDeviceMessage(bytes(beat), "d1")).toEqual({ ok: true, message: beat });
  });
});
