import {
  acceptedFast,
  MAX_REPORT_BYTES,
  parseDeviceJsonBySchema,
  parseDeviceMessage,
} from "./status-report.js";

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

  it("accepts the last DOWNLOADING report of agents in the field, which carries resumedBytes", () => {
    const last = { ...report, downloads: { ...report.downloads, resumedBytes: 3 } };
    expect(acceptedFast(last)).toBe(true);
    expect(parseDeviceMessage(bytes(last), "d1")).toMatchObject({ ok: true });
    const bad = { ...report, downloads: { ...report.downloads, resumedBytes: -1 } };
    expect(parseDeviceMessage(bytes(bad), "d1")).toMatchObject({ ok: false, reason: "malformed" });
  });

  it("accepts the transfer counters of delta-fetching agents, and reports without them", () => {
    const transfer = { neededBytes: 900, deltaBytes: 12, deltaObjects: 1, resumedBytes: 0 };
    const last = { ...report, downloads: { ...report.downloads, ...transfer } };
    expect(acceptedFast(last)).toBe(true);
    expect(parseDeviceMessage(bytes(last), "d1")).toMatchObject({
      ok: true,
      message: { downloads: transfer },
    });
    expect(parseDeviceMessage(bytes(report), "d1")).toMatchObject({ ok: true });
    for (const key of Object.keys(transfer)) {
      const bad = { ...report, downloads: { ...report.downloads, [key]: -1 } };
      expect(acceptedFast(bad)).toBe(false);
      expect(parseDeviceMessage(bytes(bad), "d1")).toMatchObject({ reason: "malformed" });
    }
  });

  it("accepts reports with prevSeq (0: first sent of the boot) and without (previous agents)", () => {
    const later = { ...report, seq: 7 };
    for (const shape of [later, { ...later, prevSeq: 0 }, { ...later, prevSeq: 6 }]) {
      expect(acceptedFast(shape)).toBe(true);
      expect(parseDeviceMessage(bytes(shape), "d1")).toMatchObject({ ok: true });
    }
    expect(parseDeviceMessage(bytes({ ...later, prevSeq: 2 }), "d1")).toMatchObject({
      ok: true,
      message: { seq: 7, prevSeq: 2 },
    });
    const health = {
      kind: "health",
      deviceId: "d1",
      bootId: "boot-a",
      seq: 4,
      revision: "fleet#2",
      health: "container_exited",
      count: 1,
      firstAt: report.at,
      lastAt: report.at,
      message: "exited",
      at: report.at,
    };
    for (const shape of [health, { ...health, prevSeq: 3 }, { ...health, prevSeq: 0 }])
      expect(parseDeviceMessage(bytes(shape), "d1")).toMatchObject({ ok: true });
    for (const prevSeq of [4, 5, -1, 1.5, "3"])
      expect(parseDeviceMessage(bytes({ ...health, prevSeq }), "d1")).toMatchObject({
        ok: false,
        reason: "malformed",
      });
  });

  it.each([
    ["equal to seq", 7],
    ["above seq", 8],
    ["negative", -1],
    ["fractional", 2.5],
    ["a string", "6"],
  ])("refuses a prevSeq %s with a reason naming it", (_name, prevSeq) => {
    const bad = { ...report, seq: 7, prevSeq };
    expect(acceptedFast(bad)).toBe(false);
    const parsed = parseDeviceMessage(bytes(bad), "d1");
    expect(parsed).toMatchObject({ ok: false, reason: "malformed" });
    expect(parsed.ok ? "" : parsed.detail).toContain("prevSeq");
  });

  it("accepts a heartbeat", () => {
    const beat = { kind: "heartbeat", deviceId: "d1", bootId: "b", at: "2026-01-01T00:00:00Z" };
    expect(parseDeviceMessage(bytes(beat), "d1")).toEqual({ ok: true, message: beat });
  });
});

describe("acceptedFast (the fast path of parseDeviceMessage)", () => {
  const beat = { kind: "heartbeat", deviceId: "d1", bootId: "b", at: "2026-01-01T00:00:00Z" };
  const longer = (n: number, c = "a") => c.repeat(n);
  // Values around every bound and rule of the schemas, tried on every field.
  const values: unknown[] = [
    undefined,
    null,
    true,
    0,
    -0,
    1,
    -1,
    25,
    100,
    101,
    1.5,
    1_000_000,
    1_000_001,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 1,
    "",
    "d1",
    "a",
    "progress",
    "heartbeat",
    "QUEUED",
    "DONE",
    "WONTGO",
    "ERROR",
    "lxc",
    "sim",
    "docker",
    "fleet#2",
    "fleet#02",
    "fl eet#2",
    "fleet#1234567890123456",
    `${longer(128)}#1`,
    `${longer(129)}#1`,
    "no_space",
    "Bad_reason",
    "a-b",
    longer(64),
    longer(65),
    longer(128),
    longer(129),
    longer(200),
    longer(4096),
    longer(4097),
    "2026-01-01T00:00:00Z",
    "2026-01-01T00:00:00.123+02:00",
    "2026-02-30T00:00:00Z",
    "2026-01-01 00:00:00Z",
    "2026-01-01T00:00:00",
    "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01",
    "00-0123456789ABCDEF0123456789abcdef-0123456789abcdef-01",
    [],
    {},
    { totalBytes: 10, fetchedBytes: 5, objects: 2, objectsFetched: 1 },
    { totalBytes: 10, fetchedBytes: 5, objects: 2 },
    { totalBytes: 10, fetchedBytes: 5, objects: 2, objectsFetched: 1, more: 1 },
    { totalBytes: -1, fetchedBytes: 5, objects: 2, objectsFetched: 1 },
    { totalBytes: 10, fetchedBytes: 5, objects: 1_000_001, objectsFetched: 1 },
  ];
  const fields = [
    ...new Set([
      ...Object.keys(report),
      "kind",
      "prevSeq",
      "reason",
      "traceparent",
      "agentVersion",
      "extra",
    ]),
  ];
  const variants: Record<string, unknown>[] = [];
  const declared = { ...report, seq: 25, prevSeq: 24 }; // seq and prevSeq tried against each other
  for (const base of [report, { ...report, status: "ERROR", reason: "boom" }, declared, beat])
    for (const field of fields)
      for (const value of values) {
        const variant: Record<string, unknown> = { ...base };
        if (value === undefined) delete variant[field];
        else variant[field] = value;
        variants.push(variant);
      }

  it("accepts nothing the zod schemas refuse, and parses what it accepts identically", () => {
    let fast = 0;
    for (const variant of variants) {
      const json = JSON.parse(JSON.stringify(variant));
      const bySchema = parseDeviceJsonBySchema(json, "d1");
      if (acceptedFast(json)) {
        fast++;
        const valid = bySchema.ok || bySchema.reason === "spoofed"; // spoofed: valid, other device
        expect(valid, JSON.stringify(variant).slice(0, 200)).toBe(true);
        expect(parseDeviceMessage(bytes(variant), "d1")).toEqual(bySchema);
      } else {
        expect(parseDeviceMessage(bytes(variant), "d1")).toEqual(bySchema);
      }
    }
    // The fast path is really taken (not a predicate that always says no).
    expect(fast).toBeGreaterThan(variants.length / 10);
  }, 30_000); // thousands of zod parses: CPU-bound, ~2.5 s alone, longer beside other tiers

  it("takes the agent's report, an ERROR with its reason and a heartbeat", () => {
    expect(acceptedFast(report)).toBe(true);
    expect(acceptedFast({ ...report, status: "ERROR", reason: "boom" })).toBe(true);
    expect(acceptedFast(beat)).toBe(true);
    expect(acceptedFast({ ...report, status: "ERROR" })).toBe(false);
  });
});
