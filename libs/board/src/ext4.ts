// The writable data partition: ext4 populated from a directory (`mke2fs -d`), at an offset.
import { runTool } from "./run-tool.js";

export async function writeExt4(
  image: string,
  offsetBytes: number,
  sizeBytes: number,
  label: string,
  fromDir: string,
): Promise<void> {
  await runTool("mke2fs", [
    "-q",
    "-F",
    "-t",
    "ext4",
    "-L",
    label,
    "-E",
    `offset=${offsetBytes},root_owner=0:0`,
    "-d",
    fromDir,
    image,
    `${sizeBytes / 1024}k`,
  ]);
}
