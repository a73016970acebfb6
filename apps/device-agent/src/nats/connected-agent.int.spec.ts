import { statSync } from "node:fs";
import { join } from "node:path";
import { startTestNats, type TestNats } from "@statecast/testing";
import { installBundle } from "../install/install-bundle.js";
import { bundleOf } from "../testing/agent-process.test-helper.js";
import { INIT, type PartFixture } from "../testing/fixtures.test-helper.js";
import { GatewaySide } from "../testing/gateway-side.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";
import { connectAgent } from "./connected-agent.js";

const root: PartFixture = { name: "net", group: "root", init: INIT.started };
const app: PartFixture = { name: "web", group: "app", init: INIT.ready, statusGoal: "READY" };
const CHUNK = 128 * 1024;

const statuses = (reports: { status: string; revision: string }[], revision: string) =>
  reports
    .filter((r) => r.revision === revision)
    .map((r) => r.status)
    .filter((s, i, all) => s !== all[i - 1]);

describe("agent connected to a real nats-server", () => {
  let nats: TestNats;
  let gateway: GatewaySide;
  let device: DeviceUnderTest;
  let handle: Awaited<ReturnType<typeof connectAgent>>;

  beforeAll(async () => {
    nats = await startTestNats();
    gateway = await GatewaySide.open(nats.url);
    device = new DeviceUnderTest();
    await device.agent.start();
  });
  afterAll(async () => {
    await handle?.close();
    await gateway?.close();
    await device?.dispose();
    await nats?.dispose();
  });

  async function restartNats() {
    await nats.kill();
    nats = await startTestNats({ port: nats.port, storeDir: nats.storeDir });
  }

  it("takes its target from KV, fetches objects from sc_objects and reports each status with its msgID", async () => {
    handle = await connectAgent(device.agent, {
      natsUrl: nats.url,
      downloadBytesPerSecond: 8 * 1024 * 1024,
      reconnectMaxDelayMs: 500,
    });
    const { state, digest } = device.states.build([root, app]);
    await gateway.putObjects(device.states.objectsDir);
    const target = device.target(state, digest);
    await gateway.putTarget(target);

    const reports = await gateway.waitForReport(
      (r) => r.revision === target.revision && r.status === "DONE",
    );
    expect(statuses(reports, target.revision)).toEqual([
      "QUEUED",
      "DOWNLOADING",
      "INPROGRESS",
      "TESTING",
      "DONE",
    ]);
    for (const r of reports) expect(r.msgId).toBe(`${device.deviceId}:${r.bootId}:${r.seq}`);
    expect(reports.map((r) => r.seq)).toEqual(reports.map((_, i) => i + 1));
  });

  it("replays reports journaled while the gateway was down, in order and once each", async () => {
    await nats.kill();
    const next = device.states.build([root, { ...app, init: `echo offline\n${INIT.ready}` }]);
    const offline = await installBundle(
      device.agent,
      await bundleOf(device, next.state, "offline"),
      "lab#41",
    );
    expect(offline.status).toBe("UPDATED");
    expect((await device.agent.journal.pending()).length).toBeGreaterThanOrEqual(5);

    nats = await startTestNats({ port: nats.port, storeDir: nats.storeDir });
    const reports = await gateway.waitForReport(
      (r) => r.revision === "lab#41" && r.status === "UPDATED",
    );
    expect(statuses(reports, "lab#41")).toEqual([
      "QUEUED",
      "DOWNLOADING",
      "INPROGRESS",
      "TESTING",
      "UPDATED",
    ]);
    const seqs = reports.map((r) => r.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    expect(reports).toHaveLength((await device.agent.journal.all()).length);
    expect(await device.agent.journal.pending()).toEqual([]);
  });

  it("resumes a download cut at about half by a dropped connection, re-fetching less than one chunk", async () => {
    await handle.close();
    handle = await connectAgent(device.agent, {
      natsUrl: nats.url,
      downloadBytesPerSecond: 1024 * 1024,
      reconnectMaxDelayMs: 500,
    });
    const next = device.states.build([root, { ...app, init: `echo big\n${INIT.ready}` }]);
    const rootfs = next.state["web/root.tar"] as string;
    await gateway.putObjects(device.states.objectsDir);
    const size = statSync(join(device.states.objectsDir, rootfs)).size;
    const target = device.target(next.state, next.digest);
    await gateway.putTarget(target);

    const partial = join(device.agent.store.partialDir, rootfs);
    await waitUntil(() => (statSafe(partial) ?? 0) >= size / 2);
    const cutAt = statSafe(partial)!;
    await restartNats();
    await gateway.nc.close();
    gateway = await GatewaySide.open(nats.url);

    const reports = await gateway.waitForReport(
      (r) => r.revision === target.revision && r.status === "UPDATED",
      45_000,
    );
    const downloads = reports.filter((r) => r.revision === target.revision && r.downloads).at(-1)!
      .downloads!;
    expect(cutAt).toBeLessThan(size);
    expect(downloads.totalBytes).toBe(size);
    expect(downloads.fetchedBytes - size).toBeLessThan(CHUNK);
    expect(await device.agent.store.hasObject(rootfs)).toBe(true);
    // Each new connection's watch began with the target already settled: no news, no report
    // (a WONTGO for it would only be dropped by the gateway as settled).
    const journaled = await device.agent.journal.all();
    expect(journaled.filter((r) => r.reason === "stale_revision")).toEqual([]);
  });
});

function statSafe(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

async function waitUntil(predicate: () => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 20));
  }
}
