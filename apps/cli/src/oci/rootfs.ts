import { join } from "node:path";
import { LOCAL_TAG } from "./fetch-image.js";
import { runTool } from "./run-tool.js";

export type RootVolume = "root.squashfs" | "root.tar";

/** Unpacks the layout's image into `<workDir>/bundle/rootfs` with umoci; returns the rootfs. */
export async function unpackRootfs(layoutDir: string, workDir: string): Promise<string> {
  const bundle = join(workDir, "bundle");
  const rootless = process.getuid?.() === 0 ? [] : ["--rootless"];
  await runTool("umoci", ["unpack", ...rootless, "--image", `${layoutDir}:${LOCAL_TAG}`, bundle]);
  return join(bundle, "rootfs");
}

/**
 * Packs a rootfs reproducibly so that the same image always yields the same object, byte for
 * byte (or object deltas between revisions collapse): squashfs with mksquashfs, a plain tar when
 * mksquashfs is not available. Both sort entries by name, set every time to 0, drop xattrs and
 * keep no random ids; `-reproducible` also orders fragments the same on every run, whatever the
 * number of compressor threads.
 */
export async function packRootfs(
  rootfs: string,
  outDir: string,
  mksquashfs: string | null,
): Promise<{ volume: RootVolume; path: string }> {
  if (mksquashfs) {
    const path = join(outDir, "root.squashfs");
    await runTool(mksquashfs, [
      rootfs,
      path,
      "-noappend",
      "-no-progress",
      "-no-xattrs",
      "-reproducible",
      "-mkfs-time",
      "0",
      "-all-time",
      "0",
      "-comp",
      "xz",
    ]);
    return { volume: "root.squashfs", path };
  }
  const path = join(outDir, "root.tar");
  await runTool("tar", [
    "--sort=name",
    "--mtime=@0",
    "--numeric-owner",
    "--format=posix",
    "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
    "-C",
    rootfs,
    "-cf",
    path,
    ".",
  ]);
  return { volume: "root.tar", path };
}
