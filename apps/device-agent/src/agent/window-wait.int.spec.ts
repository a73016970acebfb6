import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOCK_FILE } from "../control/update-locks.js";
import { DirObjectSource } from "../fetch/dir-source.js";
import { isHealth } from "../report/report.js";
import { INIT, type PartFixture } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";

const root: PartFixture = { name: "net", group: "root", init: INIT.started };
/** Each run appends to /runs, then exits 1 once /go exists (written while the install waits). */
const crashing: PartFixture = {
  name: "app",
  group: "app",
  init: "echo run >> /runs\nwhile [ ! -e /go ]; do /bin/sleep 0.2; done\nexit 1",
  restartPolicy: "container",
  run: { auto_recovery: { type: "on-failure", maximum_retry_count: 1, retry_delay: 0.2 } },
};
const steady: PartFixture = { ...crashing, init: INIT.started };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, done: () => boolean | Promise<boolean>) {
  const deadline = Date.now() + 20_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Issue 20 on real LXC: an install held by an update lock leaves the committed revision watched. */
describe("the committed revision while an install waits", () => {
  let device: DeviceUnderTest;
  afterEach(() => device.dispose());

  it("auto_recovery restarts and health reports a crash during the wait; the install goes on after it", async () => {
    device = new DeviceUnderTest({ health: { intervalMs: 200 } });
    await device.agent.start();
    const source = new DirObjectSource(device.states.objectsDir);
    const first = device.states.build([root, crashing]);
    expect(
      (await device.agent.applyTarget(device.target(first.state, first.digest), source)).status,
    ).toBe("DONE");
    const committed = device.agent.committedRevision!;
    const dirs = (part: string) =>
      device.agent.store.containerDirs(committed.parts.find((p) => p.name === part)!.containerName);
    const runs = () =>
      readFileSync(join(dirs("app").rootfs, "runs"), "utf8")
        .trim()
        .split("\n").length;

    // An app holds an update lock (balena's lock file): the next install waits for it.
    writeFileSync(join(dirs("net").control, LOCK_FILE), "");
    const second = device.states.build([root, steady]);
    const target = device.target(second.state, second.digest);
    const installed = device.agent.applyTarget(target, source);
    await until("the lock wait", async () =>
      (await device.statuses(target.revision)).includes("DOWNLOADING:waiting_for_lock"),
    );

    // The committed app crashes during the wait: restarted once (its budget), then reported.
    writeFileSync(join(dirs("app").rootfs, "go"), "");
    await until("an auto_recovery restart", () => runs() === 2);
    await until("the health reports", async () => {
      const health = (await device.agent.journal.entries()).filter(isHealth);
      return health.filter((h) => h.part === "app").length === 2;
    });
    const health = (await device.agent.journal.entries()).filter(isHealth);
    expect(health.map((h) => [h.revision, h.part, h.health, h.exitCode])).toEqual([
      [committed.ref, "app", "container_restarted", 1],
      [committed.ref, "app", "container_exited", 1],
    ]);
    expect(await device.statuses(target.revision)).toEqual([
      "QUEUED",
      "DOWNLOADING",
      "DOWNLOADING:waiting_for_lock",
    ]);

    // The lock released, the install proceeds as ever and the new revision is watched.
    rmSync(join(dirs("net").control, LOCK_FILE));
    expect((await installed).status).toBe("UPDATED");
    expect(await device.statuses(target.revision)).toEqual([
      "QUEUED",
      "DOWNLOADING",
      "DOWNLOADING:waiting_for_lock",
      "INPROGRESS",
      "TESTING",
      "UPDATED",
    ]);
    expect(device.agent.committedRevision?.ref).toBe(target.revision);
    const now = device.agent.committedRevision!.parts.map((p) => p.containerName);
    expect((await device.running()).sort()).toEqual(now.sort());
  }, 60_000);
});
