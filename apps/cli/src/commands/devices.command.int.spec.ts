import { keyFingerprint } from "@statecast/contract";
import {
  deviceEvent,
  enrolled,
} from "../../../orchestrator/src/devices/device-history.test-helper.js";
import {
  ADMIN_SECRET,
  startTestApp,
  type TestApp,
} from "../../../orchestrator/src/openapi/test-app.test-helper.js";
import { type RemoteCli, remoteCli } from "../remote/remote.test-helper.js";

/** The fingerprint of the key `enrolled()` gives every device. */
const FP = keyFingerprint(`U${"A".repeat(55)}`);
let app: TestApp;
let cli: RemoteCli;

beforeAll(async () => {
  // Exports cut at 3 rows: `audit --ndjson` must follow the continuation line to get them all.
  [app, cli] = await Promise.all([
    startTestApp({ env: { STATECAST_AUDIT_EXPORT_MAX_ROWS: "3" } }),
    remoteCli(),
  ]);
  await deviceEvent(app.store, "d1", "DeviceEnrolled", enrolled("d1", "lab", { site: "a" }));
  await deviceEvent(app.store, "d1", "DeviceCameOnline", { bootId: "b1" });
  await deviceEvent(app.store, "d2", "DeviceEnrolled", enrolled("d2", "lab", { site: "b" }));
  await deviceEvent(app.store, "d3", "DeviceEnrolled", enrolled("d3", "other", {}));
  expect((await cli.sc(["login", app.url, "--token", ADMIN_SECRET])).code).toBe(0);
  // The projection catches up asynchronously: wait until all three are listed.
  for (let i = 0; i < 200; i++) {
    const res = await app.call("/v1/devices");
    if (((await res.json()) as { items: unknown[] }).items.length === 3) break;
    await new Promise((r) => setTimeout(r, 25));
  }
});
afterAll(async () => {
  await app?.close();
});

describe("devices, device history and audit against a real orchestrator", () => {
  it("lists devices as a table and as JSON, with the API's filters", async () => {
    const listed = await cli.sc(["devices", "ls", "--fleet", "lab"]);
    expect(listed.code, listed.err).toBe(0);
    const lines = listed.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(
      /^DEVICE\s+FLEET\s+APPROVAL\s+PRESENCE\s+REVISION\s+STATUS\s+KEY\s+TAGS$/,
    );
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["d1", "d2"]);
    expect(lines[1]).toMatch(
      new RegExp(`^d1\\s+lab\\s+pending\\s+online\\s+-\\s+-\\s+${FP}\\s+site=a$`),
    );
    const online = await cli.scJson<{ items: { deviceId: string }[] }>([
      "devices",
      "ls",
      "--presence",
      "online",
    ]);
    expect(online.json.items.map((d) => d.deviceId)).toEqual(["d1"]);
  });

  it("approves, tags, refuses a revoke with no credentials, decommissions, then shows the device and its history", async () => {
    const wrong = await cli.sc(["devices", "approve", "d2", "--key", "0123456789abcdef"]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain(`device d2 is pending with key ${FP}, not 0123456789abcdef`);
    expect((await cli.sc(["devices", "approve", "d2", "--key", FP])).out).toBe(
      `d2: approved (key ${FP})\n`,
    );
    const tagged = await cli.scJson<{ tags: Record<string, string> }>([
      "devices",
      "tag",
      "d2",
      "ring=canary",
      "site-",
    ]);
    expect(tagged.json.tags).toEqual({ ring: "canary" });
    const shown = await cli.sc(["devices", "show", "d2"]);
    expect(shown.out).toContain("approval   approved\n");
    expect(shown.out).toContain(`key        ${FP}\n`);
    expect(shown.out).toContain("tags       ring=canary\n");
    // No credentials were ever issued to d2, so there is nothing to revoke: refused, no event.
    const revoke = await cli.sc(["devices", "revoke", "d2", "--reason", "stolen"]);
    expect(revoke.code).toBe(1);
    expect(revoke.err).toMatch(/409/);
    expect((await cli.sc(["devices", "decommission", "d2", "--reason", "stolen"])).out).toBe(
      "d2: decommissioned\n",
    );

    const history = await cli.scJson<{ events: { type: string }[] }>(["device", "history", "d2"]);
    expect(history.json.events.map((e) => e.type)).toEqual([
      "DeviceEnrolled",
      "DeviceApproved",
      "DeviceTagsChanged",
      "DeviceDecommissioned",
    ]);
    const table = await cli.sc(["device", "history", "d2"]);
    expect(table.out).toMatch(/DeviceApproved\s+device:d2\s+operator:admin/);
  });

  it("re-keys a device: it waits for a hello with a new key", async () => {
    const rekeyed = await cli.sc(["devices", "rekey", "d1", "--reason", "board replaced"]);
    expect(rekeyed.out).toBe("d1: re-keyed: its next hello with a new key waits for approval\n");
    const shown = await cli.sc(["devices", "show", "d1"]);
    expect(shown.out).toContain("key        none (re-keyed, waiting for a hello)\n");
    const early = await cli.sc(["devices", "approve", "d1"]);
    expect(early.code).toBe(1);
    expect(early.err).toMatch(/has not said hello with its new key/);
  });

  it("shows a device's downloaded bytes: its last apply (deltas, resumed) and its total", async () => {
    const revision = { fleet: "lab", number: 2 };
    const downloads = {
      total: 2147,
      done: 2147,
      objects: 1,
      needed: 36163584,
      delta: 2147,
      resumed: 0,
    };
    await deviceEvent(app.store, "d1", "TargetAssigned", {
      revision,
      digest: "a".repeat(64),
      seq: 1,
    });
    await deviceEvent(app.store, "d1", "UpdateProgressReported", {
      bootId: "b1",
      seq: 4,
      revision,
      status: "DOWNLOADING",
      progress: 25,
      downloads,
    });
    let shown = await cli.sc(["devices", "show", "d1"]);
    for (let i = 0; i < 200 && !shown.out.includes("last apply"); i++) {
      await new Promise((r) => setTimeout(r, 25));
      shown = await cli.sc(["devices", "show", "d1"]);
    }
    expect(shown.out).toContain(
      "last apply lab#2: fetched 2147 B of 34.5 MiB needed (0.01 %), 2147 B as deltas, 0 B resumed\n",
    );
    const json = await cli.scJson<{ transfer: unknown }>(["devices", "show", "d1"]);
    expect(json.json.transfer).toMatchObject({
      total: { needed: 36163584, fetched: 2147, delta: 2147, resumed: 0 },
    });
  });

  it("explains bad input: unknown device, bad tag edit, a role too weak", async () => {
    const missing = await cli.sc(["devices", "show", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^statecast: GET \/v1\/devices\/nope: 404 /);
    const badEdit = await cli.sc(["devices", "tag", "d1", "=x"]);
    expect(badEdit.code).toBe(2);
    expect(badEdit.err).toContain('tag edit "=x": use key=value to set or key- to remove');
    const res = await app.call("/v1/tokens", {
      method: "POST",
      json: { name: "vic", role: "viewer" },
    });
    const viewer = ((await res.json()) as { secret: string }).secret;
    const weak = await cli.sc(["devices", "approve", "d1"], undefined, {
      env: { STATECAST_TOKEN: viewer },
    });
    expect(weak.code).toBe(1);
    expect(weak.err).toBe(
      'statecast: not allowed: role "viewer" is too weak: this needs "operator"\n',
    );
  });

  it("queries the audit trail as a table, JSON and NDJSON", async () => {
    const table = await cli.sc([
      "audit",
      "--device",
      "d2",
      "--type",
      "DeviceApproved",
      "--type",
      "DeviceDecommissioned",
    ]);
    expect(table.code, table.err).toBe(0);
    const rows = table.out.trimEnd().split("\n");
    expect(rows[0]).toMatch(/^RECORDED\s+TYPE\s+STREAM\s+ACTOR$/);
    expect(rows.slice(1).map((r) => r.split(/\s+/)[1])).toEqual([
      "DeviceApproved",
      "DeviceDecommissioned",
    ]);

    const paged = await cli.scJson<{ items: unknown[]; next: string | null }>([
      "audit",
      "--device",
      "d2",
      "--limit",
      "2",
    ]);
    expect(paged.json.items).toHaveLength(2);
    expect(paged.json.next).toEqual(expect.any(String));
    const rest = await cli.scJson<{ items: unknown[] }>([
      "audit",
      "--device",
      "d2",
      "--cursor",
      paged.json.next ?? "",
    ]);
    expect(rest.json.items).toHaveLength(2);

    const ndjson = await cli.sc(["audit", "--device", "d2", "--ndjson"]);
    const events = ndjson.out
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string });
    expect(events.map((e) => e.type)).toEqual([
      "DeviceEnrolled",
      "DeviceApproved",
      "DeviceTagsChanged",
      "DeviceDecommissioned",
    ]);
    const badTime = await cli.sc(["audit", "--from", "yesterday"]);
    expect(badTime.code).toBe(1);
    expect(badTime.err).toContain("from must be an ISO-8601 instant");
  });
});
