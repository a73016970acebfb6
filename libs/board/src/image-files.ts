// Reading files back out of a board image's ESP (mtools; works while the board runs).
import { runTool } from "./run-tool.js";

/** The ESP starts 1 MiB into every image buildBoardImage writes. */
export const ESP_OFFSET = 1024 * 1024;

export function readEspFile(image: string, path: string): Promise<string> {
  return runTool("mtype", ["-i", `${image}@@${ESP_OFFSET}`, `::/${path}`], {
    env: { ...process.env, MTOOLS_SKIP_CHECK: "1" },
  });
}

/** The GRUB environment block's variables. */
export async function readGrubEnv(image: string): Promise<Record<string, string>> {
  const text = await readEspFile(image, "grubenv");
  const vars: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = line.match(/^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/);
    if (m?.[1]) vars[m[1]] = m[2] ?? "";
  }
  return vars;
}
