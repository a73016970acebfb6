import { spawnSync } from "node:child_process";
import { DirObjectSource } from "../fetch/dir-source.js";
import { INIT, type PartFixture } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";

const root: PartFixture = { name: "net", group: "root", init: INIT.started, rootKind: "squashfs" };
const app: PartFixture = { name: "web", group: "app", init: INIT.ready, statusGoal: "READY" };

describe("agent apply with real LXC", () => {
  let device: DeviceUnderTest;
  let source: DirObjectSource;
  beforeEach(async () => {
    device = new DeviceUnderTest();
    source = new DirObjectSource(device.states.objectsDir);
    await device.agent.start();
  });
  afterEach(() => device.dispose());

  async function installFirst() {
    const first = device.states.build([root, app]);
    const report = await device.agent.applyTarget(device.target(first.state, first.digest), source);
    expect(report.status).toBe("DONE");
    return device.agent.committedRevision!;
  }

  it("installs a fresh device: root STARTED, app READY through the control socket, DONE", async () => {
    const { state, digest } = device.states.build([root, app]);
    const target = device.target(state, digest);
    const final = await device.agent.applyTarget(target, source);

    expect(final).toMatchObject({ status: "DONE", revision: target.revision, runtime: "lxc" });
    expect(await device.statuses()).toEqual([
      "QUEUED",
      "DOWNLOADING",
      "INPROGRESS",
      "TESTING",
      "DONE",
    ]);
    const spec = device.agent.committedRevision!;
    expect((await device.running()).sort()).toEqual(spec.parts.map((p) => p.containerName).sort());
    expect(await device.agent.store.readBootEnv()).toEqual({
      pv_rev: digest,
      pv_try: "",
      pv_trying: "",
    });
  });

  it("restarts only the changed app container and ends UPDATED", async () => {
    const before = await installFirst();
    const net = before.parts.find((p) => p.name === "net")!.containerName;
    const netPid = device.pid(net);

    const next = device.states.build([root, { ...app, init: `echo v2\n${INIT.ready}` }]);
    const target = device.target(next.state, next.digest);
    const final = await device.agent.applyTarget(target, source);

    expect(final.status).toBe("UPDATED");
    expect(await device.statuses(target.revision)).toEqual([
      "QUEUED",
      "DOWNLOADING",
      "INPROGRESS",
      "TESTING",
      "UPDATED",
    ]);
    const after = device.agent.committedRevision!;
    const web = after.parts.find((p) => p.name === "web")!.containerName;
    expect(device.pid(net)).toBe(netPid);
    expect((await device.running()).sort()).toEqual([net, web].sort());
    expect(web).not.toBe(before.parts.find((p) => p.name === "web")!.containerName);
  });

  it("rolls back to the previous revision when the app never signals READY", async () => {
    const before = await installFirst();
    const bad = device.states.build([root, { ...app, init: INIT.neverReady }]);
    const target = device.target(bad.state, bad.digest);
    const final = await device.agent.applyTarget(target, source);

    expect(final).toMatchObject({ status: "ERROR", reason: "status_goal_timeout" });
    expect(await device.statuses(target.revision)).toEqual([
      "QUEUED",
      "DOWNLOADING",
      "INPROGRESS",
      "ERROR:status_goal_timeout",
    ]);
    expect((await device.running()).sort()).toEqual(
      before.parts.map((p) => p.containerName).sort(),
    );
    expect(await device.runtime.list()).toHaveLength(2);
    expect((await device.agent.store.readBootEnv()).pv_rev).toBe(before.id);
  });

  it("rolls back when a container exits during TESTING", async () => {
    const before = await installFirst();
    const init = `echo "about to fail: it's broken"\n${INIT.exitAfter(0.3)}`;
    const bad = device.states.build([root, { ...app, init }]);
    const target = device.target(bad.state, bad.digest);
    const final = await device.agent.applyTarget(target, source);

    expect(final).toMatchObject({ status: "ERROR", reason: "container_exited" });
    // Its exit code and last output are in the report, and its logs stay after the rollback.
    expect(final.message).toContain("exit code 1; last output:");
    expect(final.message).toContain("about to fail: it's broken");
    expect(final.message.length).toBeLessThanOrEqual(4096);
    const store = device.agent.store.root;
    const logs = spawnSync("sh", ["-c", `cat ${store}/container-logs/*/console.log`], {
      encoding: "utf8",
    }).stdout;
    expect(logs).toContain("about to fail: it's broken");
    expect(await device.statuses(target.revision)).toEqual([
      "QUEUED",
      "DOWNLOADING",
      "INPROGRESS",
      "TESTING",
      "ERROR:container_exited",
    ]);
    expect((await device.running()).sort()).toEqual(
      before.parts.map((p) => p.containerName).sort(),
    );
    expect(await device.agent.store.readBootEnv()).toEqual({
      pv_rev: before.id,
      pv_try: "",
      pv_trying: "",
    });
  });

  it("takes a bsp change through try-boot: pv_try latched while TESTING, every container restarted, DONE", async () => {
    const before = await installFirst();
    const pids = before.parts.map((p) => device.pid(p.containerName));
    const next = device.states.build([root, app], "bsp-2");
    const seen: unknown[] = [];
    device.agent.journal.onReport((report) => {
      if (report.status === "TESTING") seen.push(device.agent.store.readBootEnv());
    });
    const final = await device.agent.applyTarget(device.target(next.state, next.digest), source);

    expect(final.status).toBe("DONE");
    expect(await Promise.all(seen)).toEqual([
      { pv_rev: before.id, pv_try: next.digest, pv_trying: next.digest },
    ]);
    expect(await device.agent.store.readBootEnv()).toEqual({
      pv_rev: next.digest,
      pv_try: "",
      pv_trying: "",
    });
    const after = device.agent.committedRevision!.parts.map((p) => p.containerName);
    expect(after).toEqual(before.parts.map((p) => p.containerName));
    expect(after.map((name) => device.pid(name)).some((pid, i) => pid === pids[i])).toBe(false);
  });
});
