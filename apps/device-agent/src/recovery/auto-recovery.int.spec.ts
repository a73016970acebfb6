import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DirObjectSource } from "../fetch/dir-source.js";
import { MetricsCollector } from "../metrics/metrics-collector.js";
import { INIT, type PartFixture } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";

const root: PartFixture = { name: "net", group: "root", init: INIT.started };
/**
 * Each run appends a line to /runs in its rootfs; the first run waits for /go (written by the
 * test once the revision committed, so no exit falls into TESTING however slow the machine),
 * then every run exits 1 s later with `code`.
 */
const exits = (code: number) =>
  `echo run >> /runs\nwhile [ ! -e /go ]; do /bin/sleep 1; done\n/bin/sleep 1\nexit ${code}`;
const app = (name: string, code: number, auto_recovery: unknown): PartFixture => ({
  name,
  group: "app",
  init: exits(code),
  restartPolicy: "container",
  ...(auto_recovery ? { run: { auto_recovery } } : {}),
});

/** Pantavisor's auto_recovery on real LXC with busybox containers that exit after commit. */
describe("auto_recovery of container-policy parts", () => {
  let device: DeviceUnderTest;
  afterEach(() => device.dispose());

  it("restarts exited containers with backoff per policy, then leaves them stopped", async () => {
    device = new DeviceUnderTest({ commitDelayMs: 1000 });
    await device.agent.start();
    const fast = { retry_delay: 0.2, backoff_factor: 2 };
    const { state, digest } = device.states.build([
      root,
      app("crash", 1, { type: "on-failure", maximum_retry_count: 2, ...fast }),
      app("clean", 0, { type: "on-failure", maximum_retry_count: 2, ...fast }),
      app("again", 0, { type: "always", maximum_retry_count: 1, ...fast }),
      app("off", 1, undefined),
    ]);
    const report = await device.agent.applyTarget(
      device.target(state, digest),
      new DirObjectSource(device.states.objectsDir),
    );
    expect(report.status).toBe("DONE");
    const spec = device.agent.committedRevision!;
    const name = (part: string) => spec.parts.find((p) => p.name === part)!.containerName;
    const runs = (part: string) =>
      readFileSync(join(device.agent.store.containerDirs(name(part)).rootfs, "runs"), "utf8")
        .trim()
        .split("\n").length;
    const netPid = device.pid(name("net"));
    for (const part of ["crash", "clean", "again", "off"]) {
      writeFileSync(join(device.agent.store.containerDirs(name(part)).rootfs, "go"), "");
    }

    // crash: ~1 s + 0.2 s + 1 s + 0.4 s + 1 s, then left stopped; again: one restart.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && runs("crash") < 3) await sleep(250);
    await waitStopped(device, name("crash"));
    await sleep(1_500);

    expect(runs("crash")).toBe(3); // on-failure, exit 1: started once + 2 restarts
    expect(runs("clean")).toBe(1); // on-failure, exit 0: not restarted
    expect(runs("again")).toBe(2); // always, exit 0: 1 restart allowed
    expect(runs("off")).toBe(1); // no auto_recovery
    // The device's metrics count the restarts the same way.
    const restarts = ["crash", "clean", "again", "off"].map((p) =>
      device.agent.recovery.restartsOf(name(p)),
    );
    expect(restarts).toEqual([2, 0, 1, 0]);
    const metrics = await new MetricsCollector({
      deviceId: "d",
      bootId: "b",
      runtime: device.runtime,
      storeDir: device.agent.store.root,
      committed: () => device.agent.committedRevision,
      restartsOf: (container) => device.agent.recovery.restartsOf(container),
      intervalSeconds: 15,
    }).collect();
    expect(metrics.runtime).toBe("lxc");
    const seen = Object.fromEntries(metrics.containers.map((c) => [c.part, [c.state, c.restarts]]));
    expect(seen).toEqual({
      net: ["RUNNING", 0],
      crash: ["STOPPED", 2],
      clean: ["STOPPED", 0],
      again: ["STOPPED", 1],
      off: ["STOPPED", 0],
    });
    for (const part of ["crash", "clean", "again", "off"]) {
      expect(await device.runtime.state(name(part)), part).toBe("STOPPED");
    }
    expect(device.pid(name("net"))).toBe(netPid);
    expect((await device.agent.journal.all()).at(-1)?.status).toBe("DONE");
  }, 60_000);

  it("refuses a malformed auto_recovery before anything is installed (WONTGO invalid_state)", async () => {
    device = new DeviceUnderTest();
    await device.agent.start();
    const { state, digest } = device.states.build([root, app("crash", 1, { type: "sometimes" })]);
    const report = await device.agent.applyTarget(
      device.target(state, digest),
      new DirObjectSource(device.states.objectsDir),
    );
    expect(report).toMatchObject({ status: "WONTGO", reason: "invalid_state" });
    expect(report.message).toMatch(/crash: auto_recovery type sometimes/);
    expect(await device.runtime.list()).toEqual([]);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitStopped(device: DeviceUnderTest, name: string) {
  const deadline = Date.now() + 20_000;
  while ((await device.runtime.state(name)) !== "STOPPED") {
    if (Date.now() > deadline) throw new Error(`${name} still running`);
    await sleep(200);
  }
}
