// The EFI system partition, written into the image at an offset with mkfs.vfat + mtools.
import { runTool } from "./run-tool.js";

export interface FatFile {
  /** Host file to copy. */
  src: string;
  /** Path on the FAT filesystem, e.g. "EFI/BOOT/BOOTX64.EFI". */
  dest: string;
}

export async function writeFat(
  image: string,
  offsetBytes: number,
  sizeBytes: number,
  label: string,
  files: FatFile[],
): Promise<void> {
  const sectors = offsetBytes / 512;
  await runTool("mkfs.vfat", [
    "-F",
    "32",
    "-s",
    "1",
    "-n",
    label,
    "--offset",
    String(sectors),
    image,
    String(sizeBytes / 1024),
  ]);
  const target = `${image}@@${offsetBytes}`;
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.dest.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  const env = { ...process.env, MTOOLS_SKIP_CHECK: "1" };
  for (const dir of [...dirs].sort((a, b) => a.length - b.length))
    await runTool("mmd", ["-i", target, `::/${dir}`], { env });
  for (const f of files) await runTool("mcopy", ["-i", target, f.src, `::/${f.dest}`], { env });
}
