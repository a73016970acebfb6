import { copyFile, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fsyncDir } from "../fs/atomic.js";
import { runOrThrow } from "../runtime/exec.js";
import { assignments, type BootBackend } from "./boot-backend.js";
import { type BootEnv, checkBootEnv, parseBootEnv } from "./boot-env.js";

/**
 * GRUB's environment block (`grubenv` on the EFI system partition) through `grub-editenv`.
 * A write edits a copy and renames it over the block, so a power cut leaves the old
 * variables or the new ones (grub-editenv itself rewrites the file in place).
 */
export class GrubBootBackend implements BootBackend {
  readonly kind = "grub" as const;
  readonly board = true;

  constructor(
    readonly grubenv: string,
    private readonly tool = "grub-editenv",
  ) {}

  async read(): Promise<BootEnv> {
    return parseBootEnv(await runOrThrow(this.tool, [this.grubenv, "list"]));
  }

  async write(env: BootEnv): Promise<void> {
    checkBootEnv(env);
    const pairs = assignments(env);
    const set = pairs.filter(([, v]) => v !== "").map(([k, v]) => `${k}=${v}`);
    const unset = pairs.filter(([, v]) => v === "").map(([k]) => k);
    const temp = join(dirname(this.grubenv), `.${basename(this.grubenv)}.tmp`);
    await copyFile(this.grubenv, temp);
    try {
      if (set.length > 0) await runOrThrow(this.tool, [temp, "set", ...set]);
      if (unset.length > 0) await runOrThrow(this.tool, [temp, "unset", ...unset]);
      const handle = await open(temp, "r+");
      await handle.sync().finally(() => handle.close());
      await rename(temp, this.grubenv);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await fsyncDir(dirname(this.grubenv));
  }
}
