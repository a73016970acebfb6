// A Debian x86_64 kernel (vmlinuz + modules with a modules.dep), fetched once with apt-get
// download and unpacked with dpkg-deb; cached by package name.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cachedDir } from "./cache.js";
import { BoardToolError, runTool } from "./run-tool.js";

export const DEFAULT_KERNEL_PACKAGE = "linux-image-6.1.0-50-amd64";

export interface Kernel {
  /** `uname -r` of the kernel, e.g. 6.1.0-50-amd64. */
  release: string;
  vmlinuz: string;
  /** lib/modules/<release> with modules.dep. */
  modulesDir: string;
}

export async function debianKernel(pkg = DEFAULT_KERNEL_PACKAGE): Promise<Kernel> {
  if (!/^linux-image-[0-9a-z.+-]+$/.test(pkg))
    throw new BoardToolError(`not a Debian kernel package name: ${pkg}`);
  const dir = await cachedDir("kernels", pkg, async (tmp) => {
    await runTool("apt-get", ["download", pkg], { cwd: tmp });
    const deb = readdirSync(tmp).find((f) => f.endsWith(".deb"));
    if (!deb) throw new BoardToolError(`apt-get download ${pkg} produced no .deb`);
    await runTool("dpkg-deb", ["-x", join(tmp, deb), join(tmp, "root")]);
    const release = readdirSync(join(tmp, "root", "lib", "modules"))[0];
    if (!release) throw new BoardToolError(`${pkg} has no lib/modules`);
    await runTool("busybox", ["depmod", "-b", join(tmp, "root"), release]);
  });
  const root = join(dir, "root");
  const release = readdirSync(join(root, "lib", "modules"))[0] as string;
  return {
    release,
    vmlinuz: join(root, "boot", `vmlinuz-${release}`),
    modulesDir: join(root, "lib", "modules", release),
  };
}

/** The modules files (relative to modulesDir) needed for `names`, dependencies included. */
export function moduleClosure(kernel: Kernel, names: string[]): string[] {
  const deps = new Map<string, string[]>();
  for (const line of readFileSync(join(kernel.modulesDir, "modules.dep"), "utf8").split("\n")) {
    const [mod, rest] = line.split(":");
    if (mod) deps.set(mod, (rest ?? "").trim().split(/\s+/).filter(Boolean));
  }
  const byName = new Map<string, string>();
  for (const mod of deps.keys())
    byName.set(
      mod
        .replace(/^.*\//, "")
        .replace(/\.ko(\.\w+)?$/, "")
        .replace(/-/g, "_"),
      mod,
    );
  const out = new Set<string>();
  for (const name of names) {
    const mod = byName.get(name.replace(/-/g, "_"));
    if (!mod) throw new BoardToolError(`kernel ${kernel.release} has no module ${name}`);
    out.add(mod);
    for (const dep of deps.get(mod) ?? []) out.add(dep);
  }
  return [...out].sort();
}
