import { once } from "node:events";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { startTestNats, type TestNats } from "@statecast/testing";
import { agentBundle, startRunProcess } from "../testing/agent-process.test-helper.js";
import { INIT } from "../testing/fixtures.test-helper.js";
import { GatewaySide } from "../testing/gateway-side.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";

const CHUNK = 128 * 1024;

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

describe("download resume after the agent process is killed", () => {
  let nats: TestNats;
  let gateway: GatewaySide;
  let device: DeviceUnderTest;
  let bundleDir: string;

  beforeAll(async () => {
    nats = await startTestNats();
    gateway = await GatewaySide.open(nats.url);
    device = new DeviceUnderTest();
    bundleDir = mkdtempSync("/tmp/sc-agent-bundle-");
  });
  afterAll(async () => {
    await gateway?.close();
    await device?.dispose();
    await nats?.dispose();
    rmSync(bundleDir, { recursive: true, force: true });
  });

  it("kill -9 at about half: the restarted agent resumes from the offset, re-fetching less than a chunk", async () => {
    const agentJs = await agentBundle(bundleDir);
    const { state, digest } = device.states.build([
      { name: "web", group: "app", init: `echo resume\n${INIT.ready}`, statusGoal: "READY" },
    ]);
    const rootfs = state["web/root.tar"] as string;
    const size = statSync(join(device.states.objectsDir, rootfs)).size;
    await gateway.putObjects(device.states.objectsDir);
    const target = device.target(state, digest);
    await gateway.putTarget(target);

    const first = startRunProcess(agentJs, device, nats.url, [
      "--fault-download-bps",
      String(1024 * 1024),
    ]);
    const partial = join(device.storeDir, "objects", ".partial", rootfs);
    const deadline = Date.now() + 20_000;
    while (sizeOf(partial) < size / 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    first.kill("SIGKILL");
    await once(first, "exit");
    const cutAt = sizeOf(partial);
    expect(cutAt).toBeGreaterThanOrEqual(size / 2);
    expect(cutAt).toBeLessThan(size);

    const second = startRunProcess(agentJs, device, nats.url);
    try {
      const reports = await gateway.waitForReport(
        (r) => r.revision === target.revision && r.status === "DONE",
        40_000,
      );
      const boots = [...new Set(reports.map((r) => r.bootId))];
      expect(boots).toHaveLength(2);
      const resumed = reports.filter((r) => r.bootId === boots[1] && r.downloads).at(-1)!
        .downloads! as unknown as {
        totalBytes: number;
        fetchedBytes: number;
        resumedBytes: number;
      };
      expect(resumed.resumedBytes).toBe(cutAt);
      expect(resumed.fetchedBytes + resumed.resumedBytes - resumed.totalBytes).toBeLessThan(CHUNK);
      expect(
        reports
          .filter((r) => r.bootId === boots[1])
          .map((r) => r.status)
          .at(-1),
      ).toBe("DONE");
    } finally {
      second.kill("SIGTERM");
      await once(second, "exit");
    }
  });
});
