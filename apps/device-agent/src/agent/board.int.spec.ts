import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { BootBackend } from "../boot/boot-backend.js";
import { GrubBootBackend } from "../boot/grub-env.js";
import { UbootBootBackend } from "../boot/uboot-env.js";
import { DirObjectSource } from "../fetch/dir-source.js";
import {
  bootloaderBoot,
  createGrubenv,
  createUbootEnv,
} from "../testing/bootloader.test-helper.js";
import { INIT, type PartFixture } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";

const root: PartFixture = { name: "net", group: "root", init: INIT.started };
const app: PartFixture = { name: "web", group: "app", init: INIT.ready, statusGoal: "READY" };

/**
 * Board mode on the host: the real GRUB environment block (grub-editenv) or a file-backed
 * U-Boot environment (fw_setenv), an ESP directory,
 * a kernel command line file, a reboot command that records the reboot, real LXC. The
 * bootloader's half of try-boot is played between agent runs (testing/bootloader); the QEMU
 * e2e proves the same with the real GRUB and kernels.
 */
describe.each([
  ["grub", (dir: string) => new GrubBootBackend(createGrubenv(dir))],
  ["uboot", (dir: string) => new UbootBootBackend(createUbootEnv(dir))],
] as const)("board mode: try-boot through the %s environment, real LXC", (kind, makeBoot) => {
  let device: DeviceUnderTest;
  let source: DirObjectSource;
  let boot: BootBackend;
  let esp: string;
  let cmdline: string;
  let reboots: string;

  beforeEach(() => {
    const dir = join("/tmp", `sc-board-${process.pid}-${Date.now()}`);
    esp = join(dir, "esp");
    mkdirSync(esp, { recursive: true });
    boot = makeBoot(esp);
    cmdline = join(dir, "cmdline");
    reboots = join(dir, "reboots");
    device = new DeviceUnderTest({
      board: {
        boot,
        cmdlinePath: cmdline,
        esp,
        reboot: ["sh", "-c", `echo reboot >> ${reboots}`],
      },
    });
    source = new DirObjectSource(device.states.objectsDir);
  });
  afterEach(() => device.dispose());

  const rebootCount = () =>
    existsSync(reboots) ? readFileSync(reboots, "utf8").split("\n").length - 1 : 0;
  const names = () => device.agent.committedRevision!.parts.map((p) => p.containerName).sort();

  /** The factory revision: GRUB boots pv_rev, which the image builder set; installed in place. */
  async function factory() {
    const first = device.states.build([root, app], "bsp-1");
    await boot.write({ pv_rev: first.digest, pv_try: "", pv_trying: "" });
    await bootloaderBoot(boot, cmdline, kind);
    await device.agent.start();
    const report = await device.agent.applyTarget(device.target(first.state, first.digest), source);
    expect(report.status).toBe("DONE");
    expect(rebootCount()).toBe(0);
    return first;
  }

  /** A revision with a new kernel: staged, pv_try set (no latch), the board reboots. */
  async function stageNewKernel(parts: PartFixture[], bsp: string) {
    const next = device.states.build(parts, bsp);
    const target = device.target(next.state, next.digest);
    const report = await device.agent.applyTarget(target, source);
    expect(report).toMatchObject({
      status: "INPROGRESS",
      message: `rebooting into ${target.revision}`,
    });
    expect(rebootCount()).toBe(1);
    expect(await boot.read()).toMatchObject({ pv_try: next.digest, pv_trying: "" });
    expect(readFileSync(join(esp, "trails", next.digest, "linux"), "utf8")).toBe(`kernel ${bsp}`);
    expect(readFileSync(join(esp, "trails", next.digest, "initrd"), "utf8")).toBe(`initrd ${bsp}`);
    await device.agent.stop();
    return { ...next, target, revision: target.revision };
  }

  /** The board comes up again: the bootloader decides, a new agent process starts. */
  async function rebootBoard(): Promise<string> {
    const booted = await bootloaderBoot(boot, cmdline, kind);
    await device.newAgent().start();
    return booted;
  }

  it("a successful boot into the new kernel runs TESTING and commits it (never rolled back)", async () => {
    const first = await factory();
    const second = await stageNewKernel(
      [root, { ...app, init: `echo v2\n${INIT.ready}` }],
      "bsp-2",
    );
    expect(await rebootBoard()).toBe(second.digest);
    expect(await boot.read()).toMatchObject({ pv_try: second.digest, pv_trying: second.digest });

    const final = await device.agent.tryBoot!;
    expect(final).toMatchObject({ status: "DONE", revision: second.revision });
    expect(final.message).toMatch(new RegExp(`booted ${second.digest}, statecast.marker=t`));
    expect(await device.statuses(second.revision)).toEqual([
      "QUEUED",
      "DOWNLOADING",
      "INPROGRESS", // objects verified
      "INPROGRESS", // rebooting into it
      "INPROGRESS", // booted it (try)
      "TESTING",
      "DONE",
    ]);
    expect(await boot.read()).toEqual({ pv_rev: second.digest, pv_try: "", pv_trying: "" });
    expect((await device.running()).sort()).toEqual(names());
    expect(rebootCount()).toBe(1);
    expect(existsSync(join(esp, "trails", first.digest))).toBe(true); // the rollback point stays
    // The target KV hands the same target to the rebooted agent: the DONE stands, nothing new.
    const reports = (await device.agent.journal.all()).length;
    expect(await device.agent.applyTarget(second.target, source)).toMatchObject({ status: "DONE" });
    expect((await device.agent.journal.all()).length).toBe(reports);
  });

  it("an app-only change applies in place (UPDATED, no reboot), its try staged but never latched", async () => {
    await factory();
    const next = device.states.build([root, { ...app, init: `echo v2\n${INIT.ready}` }], "bsp-1");
    const target = device.target(next.state, next.digest);
    const seen: Promise<unknown>[] = [];
    device.agent.journal.onReport((report) => {
      if (report.status === "TESTING") seen.push(boot.read());
    });
    const final = await device.agent.applyTarget(target, source);
    expect(final).toMatchObject({ status: "UPDATED", revision: target.revision });
    // During TESTING a power cut would boot it as a try (the bootloader latches, not the agent).
    expect(await Promise.all(seen)).toEqual([
      { pv_rev: expect.any(String), pv_try: next.digest, pv_trying: "" },
    ]);
    expect(existsSync(reboots)).toBe(false);
    expect(readFileSync(join(esp, "trails", next.digest, "linux"), "utf8")).toBe("kernel bsp-1");
    expect(await boot.read()).toEqual({ pv_rev: next.digest, pv_try: "", pv_trying: "" });
  });

  it("a kernel that never came up: the bootloader falls back, the agent reports boot_failed", async () => {
    const first = await factory();
    const bad = await stageNewKernel([root, app], "bsp-panics");
    expect(await bootloaderBoot(boot, cmdline, kind)).toBe(bad.digest); // boots it; the kernel panics
    expect(await rebootBoard()).toBe(first.digest); // the latch is still set: fallback

    const last = (await device.agent.journal.all()).at(-1)!;
    expect(last).toMatchObject({ status: "ERROR", reason: "boot_failed", revision: bad.revision });
    expect(last.message).toContain(`tried revision ${bad.revision} did not boot`);
    expect(await boot.read()).toEqual({ pv_rev: first.digest, pv_try: "", pv_trying: "" });
    expect(device.agent.committedRevision!.id).toBe(first.digest);
    expect((await device.running()).sort()).toEqual(names());
    expect(device.agent.tryBoot).toBeUndefined();
  });

  it("a try whose container misses its goal rolls back with a reboot onto the previous kernel", async () => {
    const first = await factory();
    const bad = await stageNewKernel([root, { ...app, init: INIT.neverReady }], "bsp-3");
    expect(await rebootBoard()).toBe(bad.digest);
    const final = await device.agent.tryBoot!;
    expect(final).toMatchObject({ status: "ERROR", reason: "status_goal_timeout" });
    expect(final.message).toMatch(/rolling back to .* with a reboot/);
    expect(rebootCount()).toBe(2);
    expect(await boot.read()).toEqual({ pv_rev: first.digest, pv_try: "", pv_trying: "" });
    await device.agent.stop();

    expect(await rebootBoard()).toBe(first.digest);
    expect(device.agent.committedRevision!.id).toBe(first.digest);
    expect((await device.running()).sort()).toEqual(names());
    expect((await device.agent.journal.all()).at(-1)!.status).toBe("ERROR");
  });
});
