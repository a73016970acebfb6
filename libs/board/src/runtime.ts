// The board's runtime on the data partition: node, the LXC tools with liblxc, grub-editenv and
// mksquashfs, copied from this host with every shared library ldd names. Cached by the
// binaries' content (sizes + mtimes stand in for it).
import { cpSync, existsSync, mkdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { cachedDir, contentKey } from "./cache.js";
import { BoardToolError, runTool } from "./run-tool.js";

export const RUNTIME_BINARIES = [
  "/usr/bin/node",
  "/usr/bin/lxc-start",
  "/usr/bin/lxc-stop",
  "/usr/bin/lxc-info",
  "/usr/bin/lxc-attach",
  "/usr/bin/lxc-ls",
  "/usr/bin/grub-editenv",
  "/usr/bin/mksquashfs",
  // GNU tar, util-linux mount/umount/losetup: the agent's flags are theirs, not busybox's.
  "/usr/bin/tar",
  "/usr/bin/mount",
  "/usr/bin/umount",
  "/usr/sbin/losetup",
  // Object deltas (issue 21): without it the agent falls back to fetching whole objects.
  "/usr/bin/xdelta3",
];
/** Directories LXC reads at run time. */
export const RUNTIME_DIRS = [
  "/usr/share/lxc/config",
  "/usr/libexec/lxc",
  "/usr/lib/x86_64-linux-gnu/lxc",
];

/** `ldd` output → [soname path as linked, real file]. */
export function parseLdd(text: string): Array<[string, string]> {
  const libs: Array<[string, string]> = [];
  for (const line of text.split("\n")) {
    const arrow = line.match(/^\s*(\S+) => (\/\S+) \(/);
    const plain = line.match(/^\s*(\/\S+) \(/);
    if (arrow?.[1] && arrow[2]) libs.push([arrow[1], arrow[2]]);
    else if (plain?.[1]) libs.push([plain[1], plain[1]]);
  }
  return libs;
}

async function copyWithLibs(bin: string, usr: string, seen: Set<string>): Promise<void> {
  const ldd = await runTool("ldd", [bin]).catch(() => "");
  for (const [name, real] of parseLdd(ldd)) {
    const dest = name.startsWith("/")
      ? join(usr, "lib64", basename(name))
      : join(usr, "lib", "x86_64-linux-gnu", name);
    if (seen.has(dest)) continue;
    seen.add(dest);
    mkdirSync(dirname(dest), { recursive: true });
    cpSync(real, dest, { dereference: true });
  }
}

/** A directory holding `usr/` of the runtime. */
export async function boardRuntime(): Promise<string> {
  const missing = RUNTIME_BINARIES.filter((b) => !existsSync(b));
  if (missing.length > 0)
    throw new BoardToolError(`the board runtime needs ${missing.join(", ")} on this host`);
  const stamp = RUNTIME_BINARIES.map((b) => `${b}:${statSync(b).size}:${statSync(b).mtimeMs}`);
  return cachedDir("runtime", contentKey(...stamp), async (tmp) => {
    const usr = join(tmp, "usr");
    const seen = new Set<string>();
    for (const bin of RUNTIME_BINARIES) {
      const dest = join(usr, bin.startsWith("/usr/sbin/") ? "sbin" : "bin", basename(bin));
      mkdirSync(dirname(dest), { recursive: true });
      cpSync(bin, dest, { dereference: true });
      await copyWithLibs(bin, usr, seen);
    }
    for (const dir of RUNTIME_DIRS) {
      if (!existsSync(dir)) continue;
      cpSync(dir, join(tmp, dir), { recursive: true, dereference: true });
      await copyWithLibs(join(dir, "lxc-monitord"), usr, seen).catch(() => undefined);
    }
  });
}
