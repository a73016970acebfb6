// A board BSP for a working directory's bsp/: the kernel, an initramfs with busybox, modules,
// init and the agent, and run.json naming them; optionally a kernel command-line marker.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { grubEnvFile } from "./grub.js";
import type { InitKind } from "./guest-init.js";
import { buildInitramfs } from "./initramfs.js";
import { debianKernel } from "./kernel.js";

export interface BspOptions {
  /** Debian kernel package (default linux-image-6.1.0-50-amd64). */
  kernelPackage?: string;
  agentBundle: string;
  init?: InitKind | "none";
  /** Extra kernel command line (GRUB env block bsp/cmdline.env, var sc_cmdline). */
  cmdline?: string;
  /** /init arms the watchdog with this timeout instead of the image's (board.env SC_WATCHDOG_S). */
  watchdogSeconds?: number;
}

/** Writes linux, initrd, run.json (and cmdline.env) into `dir`; returns the kernel release. */
export async function buildBsp(dir: string, o: BspOptions): Promise<{ release: string }> {
  const kernel = await debianKernel(o.kernelPackage);
  mkdirSync(dir, { recursive: true });
  const root = mkdtempSync(join(tmpdir(), "statecast-initrd-"));
  try {
    await buildInitramfs(root, join(dir, "initrd"), {
      kernel,
      init: o.init ?? "agent",
      agentBundle: o.agentBundle,
      ...(o.watchdogSeconds === undefined ? {} : { watchdogSeconds: o.watchdogSeconds }),
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  copyFileSync(kernel.vmlinuz, join(dir, "linux"));
  writeFileSync(
    join(dir, "run.json"),
    `${JSON.stringify({ addons: [], initrd: "initrd", linux: "linux" }, null, 2)}\n`,
  );
  if (o.cmdline) await grubEnvFile(join(dir, "cmdline.env"), { sc_cmdline: o.cmdline });
  return { release: kernel.release };
}
