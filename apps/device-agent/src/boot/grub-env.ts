import { copyFile, mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runOrThrow } from "../runtime/exec.js";
import { assignments, type BootBackend } from "./boot-backend.js";
import { type BootEnv, checkBootEnv, parseBootEnv } from "./boot-env.js";

/**
 * GRUB's environment block (`grubenv` on the EFI system partition) through `grub-editenv`.
 * A write edits a copy outside the ESP, then writes the 1 KiB block over `grubenv` in place and
 * fsyncs it, as `grub-editenv` and GRUB's own `save_env` do: on FAT a rename allocates new
 * clusters whose FAT entries a fsync did not put on disk (a power cut then left a `grubenv` GRUB
 * cannot read; issue 13's board showed it), while an in-place write changes no FAT entry.
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
    const scratch = await mkdtemp(join(tmpdir(), "statecast-grubenv-"));
    try {
      const temp = join(scratch, "grubenv");
      await copyFile(this.grubenv, temp);
      if (set.length > 0) await runOrThrow(this.tool, [temp, "set", ...set]);
      if (unset.length > 0) await runOrThrow(this.tool, [temp, "unset", ...unset]);
      const block = await readFile(temp);
      const handle = await open(this.grubenv, "r+");
      try {
        if ((await handle.stat()).size !== block.length)
          throw new Error(`${this.grubenv} is not a ${block.length}-byte environment block`);
        await handle.write(block, 0, block.length, 0);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
}
