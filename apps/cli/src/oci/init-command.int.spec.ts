import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { initCommand, writeInitWrapper } from "./init-command.js";

// What `app add` makes of an image whose command is `sh -c '…'`, run by real LXC (as root).
const lxc = process.getuid?.() === 0 && spawnSync("lxc-start", ["--version"]).status === 0;

describe.runIf(lxc)("an image command with blanks and quotes on real LXC", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "statecast-init-"));
  });
  afterAll(() => {
    spawnSync("lxc-stop", ["-P", dir, "-n", "hello", "-k"]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs exactly the arguments Docker would pass", async () => {
    const rootfs = join(dir, "rootfs");
    mkdirSync(join(rootfs, "bin"), { recursive: true });
    for (const d of ["proc", "sys", "dev", "tmp"]) mkdirSync(join(rootfs, d));
    copyFileSync("/bin/busybox", join(rootfs, "bin/busybox"));
    chmodSync(join(rootfs, "bin/busybox"), 0o755);
    for (const applet of ["sh", "echo", "sleep", "printf"]) {
      symlinkSync("busybox", join(rootfs, "bin", applet));
    }
    const argv = [
      "/bin/sh",
      "-c",
      `printf '[%s]' "$0" "$1"; echo; echo "hello from app"; sleep 100000`,
    ];
    argv.push('it\'s a "test"', "two  blanks");
    const init = initCommand(argv);
    await writeInitWrapper(rootfs, init.wrapper as string);
    const console = join(dir, "console.log");
    mkdirSync(join(dir, "hello"));
    const config = [
      `lxc.rootfs.path = dir:${rootfs}`,
      `lxc.init.cmd = ${init.cmd}`,
      "lxc.environment = PATH=/bin",
      "lxc.net.0.type = empty",
      "lxc.apparmor.profile = unconfined",
      "lxc.mount.auto = proc:mixed sys:mixed",
      "lxc.autodev = 1",
      "lxc.tty.max = 0",
      "lxc.pty.max = 4", // the console (and its log file) needs a devpts
      `lxc.console.logfile = ${console}`,
      `lxc.log.file = ${join(dir, "lxc.log")}`,
    ];
    execFileSync("sh", ["-c", `cat > ${join(dir, "hello", "config")}`], {
      input: `${config.join("\n")}\n`,
    });
    execFileSync("lxc-start", ["-P", dir, "-n", "hello", "-d"]);
    let output = "";
    for (let i = 0; i < 100 && !output.includes("hello from app"); i++) {
      await sleep(100);
      output = readFileSync(console, "utf8");
    }
    expect(output).toContain(`[it's a "test"][two  blanks]`);
    expect(output).toContain("hello from app");
    const state = execFileSync("lxc-info", ["-P", dir, "-n", "hello", "-s", "-H"], {
      encoding: "utf8",
    });
    expect(state.trim()).toBe("RUNNING");
  });
});
