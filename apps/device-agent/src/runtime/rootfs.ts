import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { run, runOrThrow } from "./exec.js";
import type { ContainerDirs } from "./runtime.js";

async function isMountPoint(path: string): Promise<boolean> {
  return (await run("mountpoint", ["-q", path])).code === 0;
}

/**
 * A tar root volume is unpacked into the container's directory (GNU tar refuses `..`
 * members and strips leading `/`); a squashfs one is loop-mounted read-only with an
 * overlay on top for writes.
 */
export async function mountRootVolume(
  kind: "squashfs" | "tar",
  objectPath: string,
  dirs: ContainerDirs,
) {
  await mkdir(dirs.control, { recursive: true });
  if (kind === "tar") {
    if (await isMountPoint(dirs.rootfs)) return;
    const staging = `${dirs.rootfs}.unpack`;
    await run("rm", ["-rf", staging]);
    await mkdir(staging, { recursive: true });
    await runOrThrow("tar", ["-xf", objectPath, "-C", staging, "--no-overwrite-dir"], 120_000);
    await run("rm", ["-rf", dirs.rootfs]);
    await runOrThrow("mv", [staging, dirs.rootfs]);
    return;
  }
  const lower = join(dirs.root, "lower");
  const upper = join(dirs.root, "upper");
  const work = join(dirs.root, "work");
  await Promise.all([lower, upper, work, dirs.rootfs].map((d) => mkdir(d, { recursive: true })));
  if (!(await isMountPoint(lower))) {
    await runOrThrow("mount", ["-t", "squashfs", "-o", "loop,ro", objectPath, lower]);
  }
  if (!(await isMountPoint(dirs.rootfs))) {
    const options = `lowerdir=${lower},upperdir=${upper},workdir=${work}`;
    await runOrThrow("mount", ["-t", "overlay", "overlay", "-o", options, dirs.rootfs]);
  }
}

/** Unmounts what `mountRootVolume` mounted and deletes the container's files. */
export async function releaseRootVolume(dirs: ContainerDirs): Promise<void> {
  for (const path of [dirs.rootfs, join(dirs.root, "lower")]) {
    if (await isMountPoint(path)) await runOrThrow("umount", ["-l", path]);
  }
  await run("rm", ["-rf", dirs.root]);
}
