// The demo board's BSP: a Debian kernel and an initramfs carrying the agent (libs/board's
// buildBsp), made once per agent bundle and kept under the data dir. Each demo revision adds its
// own kernel command-line marker (bsp/cmdline.env), so every rollout changes the board's boot.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildBsp, DEFAULT_KERNEL_PACKAGE, grubEnvFile } from "@statecast/board";
import { boardUnavailableReason, noBoardLine, thisHost } from "./board-usable.js";

/** The marker a demo revision's kernel command line carries, e.g. `statecast.demo=v3`. */
export const demoMarker = (label: string) => `statecast.demo=${label}`;

export class DemoBoardBsp {
  private constructor(readonly dir: string) {}

  /** The BSP for `agentBundle`, built into `boardDir/bsp-<key>` unless an earlier start did. */
  static async prepare(boardDir: string, agentBundle: string): Promise<DemoBoardBsp> {
    const key = createHash("sha256")
      .update(readFileSync(agentBundle))
      .update(DEFAULT_KERNEL_PACKAGE)
      .digest("hex")
      .slice(0, 16);
    const dir = join(boardDir, `bsp-${key}`);
    if (!existsSync(join(dir, "run.json"))) {
      const tmp = `${dir}.tmp-${process.pid}`;
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(boardDir, { recursive: true, mode: 0o700 });
      try {
        await buildBsp(tmp, { agentBundle });
        renameSync(tmp, dir);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    }
    return new DemoBoardBsp(dir);
  }

  /** The bsp/ files of the revision labelled `label`: kernel, initrd, run.json, its marker. */
  async files(label: string): Promise<Record<string, Buffer>> {
    const cmdline = join(this.dir, `cmdline-${label}.env`);
    rmSync(cmdline, { force: true });
    await grubEnvFile(cmdline, { sc_cmdline: demoMarker(label) });
    const files: Record<string, Buffer> = { "cmdline.env": readFileSync(cmdline) };
    for (const name of ["run.json", "linux", "initrd"])
      files[name] = readFileSync(join(this.dir, name));
    rmSync(cmdline, { force: true });
    return files;
  }
}

/** The board's BSP (made once), or undefined with one line saying why there is no board. */
export async function prepareBoardBsp(
  boardDir: string,
  env: Record<string, string | undefined>,
  print: (line: string) => void,
): Promise<DemoBoardBsp | undefined> {
  const host = thisHost(env);
  const why = boardUnavailableReason(host);
  if (why) {
    print(noBoardLine(why));
    return undefined;
  }
  print(
    "board: one QEMU board joins (its BSP: a Debian kernel fetched with apt-get download once, an initramfs with the agent)",
  );
  try {
    return await DemoBoardBsp.prepare(boardDir, host.agentBundle);
  } catch (error) {
    print(noBoardLine(`its BSP could not be made: ${(error as Error).message}`));
    return undefined;
  }
}
