import { mkdtempSync, rmSync } from "node:fs";
import { DirObjectSource } from "../fetch/dir-source.js";
import type { RevisionSpec } from "../model/revision.js";
import { agentBundle, bundleOf, runInstall } from "../testing/agent-process.test-helper.js";
import { INIT, type PartFixture } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";

const root: PartFixture = { name: "net", group: "root", init: INIT.started };
const app: PartFixture = { name: "web", group: "app", init: INIT.ready, statusGoal: "READY" };

/**
 * kill -9 of the agent process at scripted points of a try-boot apply (bsp and app change):
 * after a restart exactly one consistent revision runs and the final report is right.
 */
describe("crash safety: kill -9 during apply, then restart", () => {
  let device: DeviceUnderTest;
  let agentJs: string;
  let bundleDir: string;
  let v1: RevisionSpec;
  let v2Bundle: string;
  let v2: { digest: string };
  let badBundle: string;

  beforeAll(async () => {
    bundleDir = mkdtempSync("/tmp/sc-agent-bundle-");
    agentJs = await agentBundle(bundleDir);
    device = new DeviceUnderTest();
    await device.agent.start();
    const first = device.states.build([root, app], "bsp-1");
    const source = new DirObjectSource(device.states.objectsDir);
    expect(
      (await device.agent.applyTarget(device.target(first.state, first.digest), source)).status,
    ).toBe("DONE");
    v1 = device.agent.committedRevision!;
    await device.agent.stop();
    const second = device.states.build([root, { ...app, init: `echo v2\n${INIT.ready}` }], "bsp-2");
    v2 = second;
    v2Bundle = await bundleOf(device, second.state, "v2");
    badBundle = await bundleOf(
      device,
      device.states.build([root, { ...app, init: INIT.neverReady }], "bsp-3").state,
      "bad",
    );
  });
  afterAll(async () => {
    await device?.dispose();
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  async function restartAndCheck(expected: { revision: string; names: string[]; final: string }) {
    const agent = device.newAgent();
    await agent.start();
    await agent.settleInterruptedApply();
    expect(await device.agent.store.readBootEnv()).toEqual({
      pv_rev: expected.revision,
      pv_try: "",
      pv_trying: "",
    });
    expect((await device.runtime.list()).sort()).toEqual([...expected.names].sort());
    expect((await device.running()).sort()).toEqual([...expected.names].sort());
    const last = (await agent.journal.all()).at(-1)!;
    expect(last.reason ? `${last.status}:${last.reason}` : last.status).toBe(expected.final);
    await agent.stop();
  }

  const v1Names = () => v1.parts.map((p) => p.containerName);

  it.each([
    ["after-download", "ERROR:apply_interrupted"],
    ["after-begin-try", "ERROR:unexpected_rollback"],
    ["after-stop", "ERROR:unexpected_rollback"],
    ["after-first-start", "ERROR:unexpected_rollback"],
    ["during-testing", "ERROR:unexpected_rollback"],
  ])("killed at %s: boots pv_rev with only its containers, reports %s", async (point, final) => {
    const result = await runInstall(agentJs, device, v2Bundle, [
      "--revision",
      "fleet/2",
      "--crash-at",
      point,
    ]);
    expect(result.signal).toBe("SIGKILL");
    await restartAndCheck({ revision: v1.id, names: v1Names(), final });
  });

  it("killed while rolling back a failed try: still ends on pv_rev alone", async () => {
    const result = await runInstall(agentJs, device, badBundle, [
      "--revision",
      "fleet/bad",
      "--crash-at",
      "during-rollback",
    ]);
    expect(result.signal).toBe("SIGKILL");
    await restartAndCheck({ revision: v1.id, names: v1Names(), final: "ERROR:apply_interrupted" });
  });

  it("killed right after commit: boots the new revision and reports DONE", async () => {
    const result = await runInstall(agentJs, device, v2Bundle, [
      "--revision",
      "fleet/2",
      "--crash-at",
      "after-commit",
    ]);
    expect(result.signal).toBe("SIGKILL");
    const agent = device.newAgent();
    await agent.start();
    const names = agent.committedRevision!.parts.map((p) => p.containerName);
    expect(agent.committedRevision!.id).toBe(v2.digest);
    await agent.stop();
    await restartAndCheck({ revision: v2.digest, names, final: "DONE" });
  });
});
