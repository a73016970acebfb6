import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { GrubBootBackend } from "../boot/grub-env.js";
import { DirObjectSource } from "../fetch/dir-source.js";
import { bootloaderBoot, createGrubenv } from "../testing/bootloader.test-helper.js";
import { INIT, type PartFixture } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";

/** A platform part bind-mounting a host file (its scope allows it). */
const platform: PartFixture = {
  name: "os",
  group: "platform",
  init: INIT.started,
  lxc: ["lxc.mount.entry = /etc/hostname etc/host-hostname none bind,ro,create=file 0 0"],
};
/** An app part with no network configuration: on a board it keeps the host's namespace. */
const hostNet: PartFixture = {
  name: "web",
  group: "app",
  init: INIT.started,
  config: { "etc/app.conf": "v1\n" },
};
/** An app part that asks for its own empty network namespace. */
const isolated: PartFixture = {
  name: "calc",
  group: "app",
  init: INIT.started,
  lxc: ["lxc.net.0.type = empty"],
};

/**
 * Board mode honours each part's lxc.container.conf on real LXC (within its scope); the
 * host-process mode's forced `lxc.net.0.type = empty` is gone. No interface or address is
 * made: the host-network part only shares the namespace and sleeps.
 */
describe("board mode: LXC configs as the state describes them", () => {
  let device: DeviceUnderTest;
  afterEach(() => device.dispose());

  it("keeps the host network namespace where the config does, isolates where it asks, mounts platform binds, copies _config", async () => {
    const dir = join("/tmp", `sc-board-lxc-${process.pid}-${Date.now()}`);
    const esp = join(dir, "esp");
    mkdirSync(esp, { recursive: true });
    const boot = new GrubBootBackend(createGrubenv(esp));
    device = new DeviceUnderTest({
      board: { boot, cmdlinePath: join(dir, "cmdline"), esp, reboot: ["true"] },
      watchdog: { device: join(dir, "watchdog"), intervalMs: 3_600_000 },
    });
    const first = device.states.build([platform, hostNet, isolated]);
    await boot.write({ pv_rev: first.digest, pv_try: "", pv_trying: "" });
    await bootloaderBoot(boot, join(dir, "cmdline"));
    await device.agent.start();
    const source = new DirObjectSource(device.states.objectsDir);
    const report = await device.agent.applyTarget(device.target(first.state, first.digest), source);
    expect(report.status).toBe("DONE");

    const parts = device.agent.committedRevision!.parts;
    const pid = (name: string) => device.pid(parts.find((p) => p.name === name)!.containerName);
    const hostNs = readlinkSync("/proc/self/ns/net");
    expect(readlinkSync(`/proc/${pid("web")}/ns/net`)).toBe(hostNs);
    expect(readlinkSync(`/proc/${pid("calc")}/ns/net`)).not.toBe(hostNs);
    expect(readlinkSync(`/proc/${pid("os")}/ns/net`)).toBe(hostNs);
    expect(readFileSync(`/proc/${pid("os")}/root/etc/host-hostname`, "utf8")).toBe(
      readFileSync("/etc/hostname", "utf8"),
    );
    // _config: the container reads its copy in the trail, not the store's shared object.
    const inContainer = `/proc/${pid("web")}/root/etc/app.conf`;
    expect(readFileSync(inContainer, "utf8")).toBe("v1\n");
    const web = parts.find((p) => p.name === "web")!;
    const file = web.configFiles[0];
    if (!file || !("object" in file)) throw new Error("web's _config file is not an object");
    const object = device.agent.store.objectPath(file.object);
    expect(statSync(inContainer).ino).not.toBe(statSync(object).ino);

    // The watchdog: petted at start; healthy with every container up; a system container
    // (the platform part) gone outside an apply means no more petting; a clean stop disarms.
    expect(await device.agent.watchdogHealth()).toEqual({ healthy: true });
    const os = parts.find((p) => p.name === "os")!.containerName;
    execFileSync("lxc-stop", ["-P", join(device.dir, "lxc"), "-n", os, "-k"]);
    expect(await device.agent.watchdogHealth()).toEqual({
      healthy: false,
      why: `system containers not running: ${os}`,
    });
    await device.agent.stop();
    expect(readFileSync(join(dir, "watchdog"), "latin1")).toBe("\0V");
  });
});
