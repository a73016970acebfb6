// The bench's images: a ~50 MB busybox-based rootfs (busybox, padding libraries, package files)
// packed the way `statecast app add` packs them, and three changes of it. Deterministic: the same
// seed always yields the same bytes, so the figures (and the e2e test's) are repeatable.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packRootfs } from "../../apps/cli/src/oci/rootfs.js";

export const CHANGES = ["one_file", "library", "package_set"] as const;
export type Change = (typeof CHANGES)[number];

/** Bytes that compress like machine code (about 2:1 under xz), from a seeded generator. */
function binary(seed: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  const words = Array.from({ length: 256 }, (_, i) => (i * 2654435761) >>> 0);
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    // Half the words come from a small dictionary (opcodes, offsets), half are noise.
    const word = x & 1 ? words[(x >>> 8) & 0xff]! : x;
    out.writeUInt32LE(word >>> 0, i);
  }
  return out;
}

const LIBS = 24; // 24 × ~1.5 MB
const PACKAGES = 12; // 12 packages × 8 files × 128 KiB

interface Variant {
  motd: string;
  librarySeed: number;
  packageSeed: number;
}

function writeRootfs(dir: string, v: Variant): void {
  for (const d of ["bin", "etc", "lib", "usr/share", "var/lib/pkg"])
    mkdirSync(join(dir, d), { recursive: true });
  copyFileSync("/bin/busybox", join(dir, "bin", "busybox"));
  for (const applet of ["sh", "ls", "cat", "sleep"])
    symlinkSync("busybox", join(dir, "bin", applet));
  writeFileSync(join(dir, "etc", "passwd"), "root:x:0:0::/root:/bin/sh\n");
  writeFileSync(join(dir, "etc", "motd"), v.motd);
  for (let i = 0; i < LIBS; i++) {
    const seed = i === 7 ? v.librarySeed : 1000 + i;
    writeFileSync(join(dir, "lib", `libpad${i}.so.1`), binary(seed, 1_500_000 + i * 4096));
  }
  for (let p = 0; p < PACKAGES; p++) {
    const pkg = join(dir, "usr/share", `pkg${p}`);
    mkdirSync(pkg);
    // Packages 3-5 are the "package set" an upgrade replaces.
    const seed = p >= 3 && p <= 5 ? v.packageSeed + p : 5000 + p;
    for (let f = 0; f < 8; f++)
      writeFileSync(join(pkg, `data${f}.bin`), binary(seed * 31 + f, 131072));
    writeFileSync(join(dir, "var/lib/pkg", `pkg${p}.list`), `pkg${p} ${seed}\n`);
  }
}

const BASE: Variant = {
  motd: "Welcome to the bench image, release 1.\n",
  librarySeed: 1007,
  packageSeed: 5000,
};

const VARIANTS: Record<"base" | Change, Variant> = {
  base: BASE,
  one_file: { ...BASE, motd: "Welcome to the bench image, release 1.1.\n" },
  library: { ...BASE, librarySeed: 77 },
  package_set: { ...BASE, packageSeed: 9000 },
};

/**
 * Builds `<out>/<variant>.squashfs` for the base image and each change (or only `names`);
 * returns the paths.
 */
export async function buildImages(
  out: string,
  names: readonly ("base" | Change)[] = ["base", ...CHANGES],
): Promise<Record<"base" | Change, string>> {
  const paths = {} as Record<"base" | Change, string>;
  for (const name of names) {
    const variant = VARIANTS[name];
    const work = mkdtempSync(join(out, `${name}-`));
    const rootfs = join(work, "rootfs");
    mkdirSync(rootfs);
    writeRootfs(rootfs, variant);
    const packed = await packRootfs(rootfs, work, "mksquashfs");
    const path = join(out, `${name}.squashfs`);
    copyFileSync(packed.path, path);
    rmSync(work, { recursive: true, force: true });
    paths[name] = path;
  }
  return paths;
}
