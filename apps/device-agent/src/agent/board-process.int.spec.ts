import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GrubBootBackend } from "../boot/grub-env.js";
import { agentBundle, bundleOf, runInstall } from "../testing/agent-process.test-helper.js";
import { bootloaderBoot, createGrubenv } from "../testing/bootloader.test-helper.js";
import { INIT, type PartFixture } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";

const root: PartFixture = { name: "net", group: "root", init: INIT.started };
const app: PartFixture = { name: "web", group: "app", init: INIT.ready, statusGoal: "READY" };

/**
 * The shipped command line in board mode (the bundled agent, `--boot grub --esp --cmdline
 * --reboot-command`), and a kill -9 between setting pv_try and the reboot: the next start
 * finds the try not yet latched with pv_rev running and reboots again.
 */
describe("statecast-agent install --boot grub (bundled agent process)", () => {
  let device: DeviceUnderTest;
  let bundleDir: string;
  let agentJs: string;
  let esp: string;
  let cmdline: string;
  let reboots: string;
  let flags: string[];
  let boot: GrubBootBackend;

  beforeAll(async () => {
    bundleDir = mkdtempSync("/tmp/sc-agent-bundle-");
    agentJs = await agentBundle(bundleDir);
  });
  afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));
  beforeEach(() => {
    const dir = mkdtempSync("/tmp/sc-board-proc-");
    esp = join(dir, "esp");
    mkdirSync(esp);
    boot = new GrubBootBackend(createGrubenv(esp));
    cmdline = join(dir, "cmdline");
    reboots = join(dir, "reboots");
    const script = join(dir, "reboot.sh");
    writeFileSync(script, `#!/bin/sh\necho reboot >> ${reboots}\n`, { mode: 0o755 });
    flags = ["--boot", "grub", "--esp", esp, "--cmdline", cmdline, "--reboot-command", script];
    device = new DeviceUnderTest({
      board: { boot, cmdlinePath: cmdline, esp, reboot: [script] },
    });
  });
  afterEach(() => device.dispose());

  const rebootCount = () => readFileSync(reboots, "utf8").split("\n").length - 1;

  it("installs the factory revision in place, then sets pv_try for a new kernel and reboots", async () => {
    const first = device.states.build([root, app], "bsp-1");
    await boot.write({ pv_rev: first.digest, pv_try: "", pv_trying: "" });
    await bootloaderBoot(boot, cmdline);
    const factory = await runInstall(agentJs, device, await bundleOf(device, first.state, "v1"), [
      ...flags,
      "--revision",
      "factory",
    ]);
    expect(JSON.parse(factory.stdout)).toMatchObject({ status: "DONE", revision: "factory" });
    expect(await boot.read()).toEqual({ pv_rev: first.digest, pv_try: "", pv_trying: "" });

    const second = device.states.build([root, app], "bsp-2");
    const v2 = await bundleOf(device, second.state, "v2");
    const killed = await runInstall(agentJs, device, v2, [
      ...flags,
      "--revision",
      "fleet/2",
      "--crash-at",
      "after-begin-try",
    ]);
    expect(killed.signal).toBe("SIGKILL");
    expect(await boot.read()).toEqual({
      pv_rev: first.digest,
      pv_try: second.digest,
      pv_trying: "",
    });
    expect(readFileSync(join(esp, "trails", second.digest, "linux"), "utf8")).toBe("kernel bsp-2");

    // The agent restarts without a reboot (pv_rev still runs): the reboot into the try is due.
    await device.newAgent().start();
    expect(rebootCount()).toBe(1);
    await device.agent.stop();

    // The bootloader boots the try; the agent tests and commits it.
    expect(await bootloaderBoot(boot, cmdline)).toBe(second.digest);
    await device.newAgent().start();
    expect(await device.agent.tryBoot).toMatchObject({ status: "DONE", revision: "fleet/2" });
    expect(await boot.read()).toEqual({ pv_rev: second.digest, pv_try: "", pv_trying: "" });
  });
});
