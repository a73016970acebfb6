// Which system packages are missing, and what to do about it. Node built-ins only: this runs
// before `npm install`. Kept apart from setup.mjs so that the decisions can be tested.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Debian package → a file that proves it is installed. One list for the whole project. */
export const SYSTEM_PACKAGES = {
  "nats-server": "/usr/sbin/nats-server",
  lxc: "/usr/bin/lxc-start",
  "busybox-static": "/bin/busybox",
  "squashfs-tools": "/usr/bin/mksquashfs",
  skopeo: "/usr/bin/skopeo",
  umoci: "/usr/bin/umoci",
  "docker-registry": "/usr/bin/docker-registry",
  iproute2: "/usr/sbin/ip",
  // The agent's READY test fixture is a tiny static C client (busybox cannot talk to a unix socket).
  gcc: "/usr/bin/gcc",
  "libc6-dev": "/usr/include/stdio.h",
  // The QEMU reference board: image builder (GRUB on a FAT ESP, ext4 without mounts, cpio
  // initramfs), firmware, emulator, and both bootloader env tools the agent drives.
  "qemu-system-x86": "/usr/bin/qemu-system-x86_64",
  ovmf: "/usr/share/OVMF/OVMF_CODE_4M.fd",
  "grub-efi-amd64-bin": "/usr/lib/grub/x86_64-efi/modinfo.sh",
  "grub-common": "/usr/bin/grub-editenv",
  mtools: "/usr/bin/mcopy",
  dosfstools: "/usr/sbin/mkfs.vfat",
  e2fsprogs: "/usr/sbin/mke2fs",
  cpio: "/usr/bin/cpio",
  "libubootenv-tool": "/usr/bin/fw_setenv",
  // The board's guestfwd: each guest connection to 10.0.2.100:<port> runs socat to 127.0.0.1.
  socat: "/usr/bin/socat",
  // Object deltas (bsdiff-like binary diffs of objects devices already hold).
  xdelta3: "/usr/bin/xdelta3",
  zstd: "/usr/bin/zstd",
  // The web console's browser tests (driven by playwright-core; no browser download).
  chromium: "/usr/bin/chromium",
};

function dpkgSays(pkg) {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" });
  return r.status === 0 && r.stdout.includes("install ok installed");
}

/** Packages whose proof file is absent and that dpkg (when there is one) does not list. */
export function missingPackages(packages = SYSTEM_PACKAGES, probe = {}) {
  const fileExists = probe.fileExists ?? existsSync;
  const hasDpkg = probe.hasDpkg ?? spawnSync("dpkg-query", ["--version"]).status === 0;
  const isInstalled = probe.isInstalled ?? dpkgSays;
  return Object.entries(packages)
    .filter(([pkg, file]) => !fileExists(file) && (!hasDpkg || !isInstalled(pkg)))
    .map(([pkg]) => pkg);
}

/**
 * What to do about missing packages: nothing, install them with apt (root on Linux with apt), or
 * stop with one message naming them all.
 * @returns {{action: "none"} | {action: "install", packages: string[]} | {action: "fail", message: string}}
 */
export function planSystemPackages(missing, host) {
  if (missing.length === 0) return { action: "none" };
  const list = missing.join(" ");
  if (host.platform !== "linux" || !host.hasApt) {
    return {
      action: "fail",
      message: `missing system packages: ${list}. Install them with your package manager.`,
    };
  }
  if (host.uid !== 0) {
    return {
      action: "fail",
      message:
        `missing system packages: ${list}.\n` +
        `  Run as root, or install them first: sudo apt-get install -y ${list}`,
    };
  }
  return { action: "install", packages: missing };
}

export function currentHost() {
  return {
    platform: process.platform,
    hasApt: spawnSync("apt-get", ["--version"]).status === 0,
    uid: process.getuid?.() ?? -1,
  };
}
