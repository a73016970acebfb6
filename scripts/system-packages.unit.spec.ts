import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { missingPackages, planSystemPackages } from "./system-packages.mjs";

const linuxRoot = { platform: "linux", hasApt: true, uid: 0 };

describe("system packages", () => {
  it("lists a package as missing only when its file is absent and dpkg does not know it", () => {
    const packages = { present: "/bin/present", "dpkg-only": "/x/dpkg-only", absent: "/x/absent" };
    const probe = {
      fileExists: (file: string) => file === "/bin/present",
      hasDpkg: true,
      isInstalled: (pkg: string) => pkg === "dpkg-only",
    };
    expect(missingPackages(packages, probe)).toEqual(["absent"]);
  });

  it("does nothing when nothing is missing, installs with apt as root", () => {
    expect(planSystemPackages([], { ...linuxRoot, uid: 1000 })).toEqual({ action: "none" });
    expect(planSystemPackages(["nats-server", "lxc"], linuxRoot)).toEqual({
      action: "install",
      packages: ["nats-server", "lxc"],
    });
  });

  it("gives a non-root user one message naming every missing package", () => {
    const plan = planSystemPackages(["nats-server", "lxc"], { ...linuxRoot, uid: 65534 });
    expect(plan).toEqual({
      action: "fail",
      message:
        "missing system packages: nats-server lxc.\n" +
        "  Run as root, or install them first: sudo apt-get install -y nats-server lxc",
    });
  });

  it("names the packages on a machine without apt", () => {
    const plan = planSystemPackages(["nats-server"], { platform: "darwin", hasApt: false, uid: 0 });
    expect(plan).toMatchObject({ action: "fail" });
    expect(JSON.stringify(plan)).toContain("missing system packages: nats-server.");
  });

  it("says so when run as nobody with a package that is really missing", () => {
    // nobody cannot enter a checkout under a closed directory (/root/…, mktemp -d): it runs a copy
    // of the module (Node built-ins only) from a directory of its own.
    const dir = mkdtempSync(join(tmpdir(), "statecast-sp-"));
    chmodSync(dir, 0o755);
    const module = join(dir, "system-packages.mjs");
    copyFileSync(fileURLToPath(new URL("./system-packages.mjs", import.meta.url)), module);
    chmodSync(module, 0o644);
    const script = `
      import { currentHost, missingPackages, planSystemPackages } from ${JSON.stringify(module)};
      const missing = missingPackages({ "statecast-no-such-package": "/nonexistent/statecast" });
      const plan = planSystemPackages(missing, currentHost());
      process.stdout.write(plan.action === "fail" ? plan.message : plan.action);`;
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      cwd: "/",
      ...asNobody,
    });
    rmSync(dir, { recursive: true, force: true });
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(
      "missing system packages: statecast-no-such-package.\n" +
        "  Run as root, or install them first: sudo apt-get install -y statecast-no-such-package",
    );
  });
});
