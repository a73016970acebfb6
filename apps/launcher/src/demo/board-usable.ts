// Whether the demo can add its QEMU board (libs/board) on this host: every check is cheap and
// local, so `npm start` says in one line why there is no board before it spends time on one.
// What only trying can tell (the kernel download, QEMU starting) is said in one line when it fails.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, dirname, join } from "node:path";
import { OVMF_CODE, OVMF_VARS, RUNTIME_BINARIES } from "@statecast/board";

/** The host tools the board's image builder and runner call, with the Debian package of each. */
export const BOARD_TOOLS: ReadonlyArray<readonly [command: string, pkg: string]> = [
  ["qemu-system-x86_64", "qemu-system-x86"],
  ["socat", "socat"],
  ["apt-get", "apt"],
  ["dpkg-deb", "dpkg"],
  ["busybox", "busybox-static"],
  ["cpio", "cpio"],
  ["gzip", "gzip"],
  ["mkfs.vfat", "dosfstools"],
  ["mcopy", "mtools"],
  ["mke2fs", "e2fsprogs"],
  ["grub-mkstandalone", "grub-common"],
  ["grub-editenv", "grub-common"],
];

/** The GRUB modules BOOTX64.EFI is made of (Debian's grub-efi-amd64-bin). */
export const GRUB_EFI_MODULES = "/usr/lib/grub/x86_64-efi";

/** What the decision looks at; the host's by default, a fake one in unit tests. */
export interface BoardHost {
  platform: string;
  uid: number | undefined;
  /** Whether `command` is an executable on PATH. */
  onPath(command: string): boolean;
  exists(path: string): boolean;
  /** The built agent bundle the board's initramfs carries. */
  agentBundle: string;
}

export function thisHost(env: Record<string, string | undefined>): BoardHost {
  return {
    platform: process.platform,
    uid: process.getuid?.(),
    onPath: (command) =>
      (env.PATH ?? "").split(delimiter).some((dir) => dir && existsSync(join(dir, command))),
    exists: existsSync,
    agentBundle: agentBundlePath(),
  };
}

/** apps/device-agent/dist/statecast-agent.js, as `npm run build` leaves it. */
export function agentBundlePath(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve("@statecast/device-agent/package.json");
  const bin = (JSON.parse(readFileSync(pkg, "utf8")) as { bin: Record<string, string> }).bin;
  return join(dirname(pkg), bin["statecast-agent"] ?? "dist/statecast-agent.js");
}

/** Why the demo's QEMU board cannot run on `host`, or undefined when it can be tried. */
export function boardUnavailableReason(host: BoardHost): string | undefined {
  if (host.platform !== "linux") return "not Linux";
  if (host.uid !== 0)
    return "not running as root (the board runs LXC inside and its image carries this host's runtime)";
  for (const [command, pkg] of BOARD_TOOLS)
    if (!host.onPath(command)) return `${command} not found (apt-get install ${pkg})`;
  for (const file of [OVMF_CODE, OVMF_VARS])
    if (!host.exists(file)) return `${file} missing (apt-get install ovmf)`;
  if (!host.exists(GRUB_EFI_MODULES))
    return `${GRUB_EFI_MODULES} missing (apt-get install grub-efi-amd64-bin)`;
  const runtime = RUNTIME_BINARIES.filter((b) => !host.exists(b));
  if (runtime.length > 0)
    return `the board's runtime needs ${runtime.join(", ")} on this host (node scripts/setup.mjs)`;
  if (!host.exists(host.agentBundle)) return `${host.agentBundle} missing (npm run build)`;
  return undefined;
}

/** The one line `npm start` prints when the demo has no board. */
export const noBoardLine = (why: string) =>
  `no QEMU board in the demo: ${why} (STATECAST_DEMO_BOARD=off leaves it out silently)`;
