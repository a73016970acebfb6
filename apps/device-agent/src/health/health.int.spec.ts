import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DirObjectSource } from "../fetch/dir-source.js";
import type { HealthReport } from "../report/report.js";
import { isHealth } from "../report/report.js";
import { INIT, type PartFixture } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";

const root: PartFixture = { name: "net", group: "root", init: INIT.started };
/** Waits for /go (written once the revision committed), then exits `code` after `seconds`. */
const exits = (code: number, seconds: number) =>
  `echo "run $$ starting" \nwhile [ ! -e /go ]; do /bin/sleep 0.2; done\n/bin/sleep ${seconds}\nexit ${code}`;
const app = (
  name: string,
  code: number,
  seconds: number,
  auto_recovery?: unknown,
): PartFixture => ({
  name,
  group: "app",
  init: exits(code, seconds),
  restartPolicy: "container",
  ...(auto_recovery ? { run: { auto_recovery } } : {}),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function health(device: DeviceUnderTest): Promise<HealthReport[]> {
  return (await device.agent.journal.entries()).filter(isHealth);
}

async function committed(device: DeviceUnderTest, parts: PartFixture[]) {
  const { state, digest } = device.states.build(parts);
  const report = await device.agent.applyTarget(
    device.target(state, digest),
    new DirObjectSource(device.states.objectsDir),
  );
  expect(report.status).toBe("DONE");
  const spec = device.agent.committedRevision!;
  for (const part of spec.parts)
    writeFileSync(join(device.agent.store.containerDirs(part.containerName).rootfs, "go"), "");
  return report.revision;
}

/** Health after DONE on real LXC: what the agent journals for the gateway (issue 14). */
describe("health reports of the committed revision", () => {
  let device: DeviceUnderTest;
  afterEach(() => device.dispose());

  it("reports a container that exited after commit, with its exit code, once", async () => {
    device = new DeviceUnderTest({ health: { intervalMs: 200 } });
    await device.agent.start();
    const revision = await committed(device, [root, app("app", 3, 0.5)]);
    const deadline = Date.now() + 20_000;
    while ((await health(device)).length === 0 && Date.now() < deadline) await sleep(200);
    await sleep(1_000); // a stopped container is one exit, not one per poll
    expect(await health(device)).toEqual([
      expect.objectContaining({
        kind: "health",
        revision,
        health: "container_exited",
        part: "app",
        exitCode: 3,
        count: 1,
        runtime: "lxc",
      }),
    ]);
  }, 60_000);

  it("bounds a crash loop: 1 + floor(T / window) reports per part, counts adding up", async () => {
    // The 60 s window scaled down to 2 s: 10 s of crash loop stand for 5 minutes.
    const windowMs = 2_000;
    device = new DeviceUnderTest({ health: { intervalMs: 200, windowMs } });
    await device.agent.start();
    const loop = { type: "always", maximum_retry_count: 10_000, retry_delay: 0, backoff_factor: 1 };
    await committed(device, [root, app("app", 1, 0.2, loop)]);
    const started = Date.now();
    await sleep(10_000);
    const elapsed = Date.now() - started;
    await device.agent.recovery.suspend();
    device.agent.health.flush(); // nothing held is lost: its window's report is journaled
    await sleep(2 * windowMs);
    device.agent.health.flush();
    await sleep(200);
    const reports = (await health(device)).filter((r) => r.health === "container_restarted");
    const restarts = reports.reduce((sum, r) => sum + r.count, 0);
    expect(restarts).toBeGreaterThan(5); // it did crash-loop
    expect(reports.length).toBeGreaterThanOrEqual(2);
    expect(reports.length).toBeLessThanOrEqual(1 + Math.floor(elapsed / windowMs) + 1);
    expect(reports[0]).toMatchObject({ count: 1, exitCode: 1, part: "app" });
  }, 60_000);

  it("says so when the agent restarts on its revision, and when the board rebooted", async () => {
    const bootIdFile = join("/tmp", `sc-boot-id-${process.pid}`);
    writeFileSync(bootIdFile, "boot-1\n");
    device = new DeviceUnderTest({ health: { kernelBootIdPath: bootIdFile } });
    await device.agent.start();
    const revision = await committed(device, [root]);
    await device.agent.stop();

    device.newAgent();
    await device.agent.start();
    expect((await health(device)).map((r) => [r.health, r.revision])).toEqual([
      ["agent_restarted", revision],
    ]);
    await device.agent.stop();

    writeFileSync(bootIdFile, "boot-2\n");
    device.newAgent();
    await device.agent.start();
    expect((await health(device)).map((r) => r.health)).toEqual([
      "agent_restarted",
      "board_rebooted",
    ]);
  }, 60_000);
});
