// The BSP's initramfs: busybox (static), the kernel modules the board needs (with their
// dependencies), the init script and the agent bundle; a gzip'd newc cpio built without root.
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { GUEST_PATHS, guestInit, type InitKind } from "./guest-init.js";
import { type Kernel, moduleClosure } from "./kernel.js";
import { runTool } from "./run-tool.js";

/** Loaded in this order by init (i6300esb is loaded with its heartbeat once config is read). */
export const BOARD_MODULES = [
  "virtio_pci",
  "virtio_blk",
  "virtio_net",
  "crc32c_generic",
  "ext4",
  "nls_cp437",
  "nls_ascii",
  "vfat",
  "loop",
  "squashfs",
  "overlay",
  "veth",
];

export interface InitramfsOptions {
  kernel: Kernel;
  /** `agent` (the normal board), `hang` (arms the watchdog, never starts the agent), `none` (no /init: the kernel panics). */
  init: InitKind | "none";
  agentBundle: string;
  busybox?: string;
  /** The BSP's watchdog timeout in /init, over the image's SC_WATCHDOG_S. */
  watchdogSeconds?: number;
}

export async function buildInitramfs(
  root: string,
  out: string,
  o: InitramfsOptions,
): Promise<void> {
  for (const d of [
    "bin",
    "sbin",
    "dev",
    "proc",
    "sys",
    "run",
    "tmp",
    "etc",
    "root",
    "lib/statecast",
  ])
    mkdirSync(join(root, d), { recursive: true });
  copyFileSync(o.busybox ?? "/bin/busybox", join(root, "bin", "busybox"));
  chmodSync(join(root, "bin", "busybox"), 0o755);
  symlinkSync("busybox", join(root, "bin", "sh"));
  const modules = moduleClosure(o.kernel, [...BOARD_MODULES, "i6300esb"]);
  const modRoot = join(root, "lib", "modules", o.kernel.release);
  for (const mod of modules) {
    mkdirSync(dirname(join(modRoot, mod)), { recursive: true });
    copyFileSync(join(o.kernel.modulesDir, mod), join(modRoot, mod));
  }
  for (const f of ["modules.dep", "modules.alias", "modules.symbols"])
    copyFileSync(join(o.kernel.modulesDir, f), join(modRoot, f));
  writeFileSync(join(root, GUEST_PATHS.modules), `${BOARD_MODULES.join("\n")}\n`);
  copyFileSync(o.agentBundle, join(root, GUEST_PATHS.agent));
  writeFileSync(join(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  writeFileSync(join(root, "etc", "group"), "root:x:0:\n");
  if (o.init !== "none")
    writeFileSync(
      join(root, "init"),
      guestInit(
        o.init,
        o.watchdogSeconds === undefined ? {} : { watchdogSeconds: o.watchdogSeconds },
      ),
      { mode: 0o755 },
    );
  await runTool(
    "sh",
    ["-c", `find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -6 > "$1"`, "sh", out],
    { cwd: root },
  );
}
