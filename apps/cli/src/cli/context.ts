import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { CommandFailed, UsageError } from "./exit-codes.js";
import type { CliIo } from "./io.js";

/** What every command gets: I/O, the output mode, and file helpers that fail with clear errors. */
export class CliContext {
  constructor(readonly io: CliIo) {}

  /** True when `--json` was given anywhere on the command line. */
  json(command: Command): boolean {
    return Boolean(command.optsWithGlobals().json);
  }

  path(file: string): string {
    return resolve(this.io.cwd, file);
  }

  async readText(file: string): Promise<string> {
    try {
      return await readFile(this.path(file), "utf8");
    } catch (error) {
      throw new UsageError(
        `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
      );
    }
  }

  /** Writes a file atomically (temp + rename), with `mode` for secrets. */
  async writeFileAtomic(file: string, data: string, mode = 0o644): Promise<void> {
    const target = this.path(file);
    const temp = join(dirname(target), `.${process.pid}.${Date.now()}.tmp`);
    try {
      await writeFile(temp, data, { mode, flag: "wx" });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw new UsageError(
        `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
      );
    }
  }

  /**
   * Prints a result: `human` lines by default, `data` as one JSON document with --json.
   * `ok: false` makes the command exit 1 after printing.
   */
  emit(command: Command, result: { ok: boolean; human: string[]; data: unknown }): void {
    if (this.json(command)) this.io.stdout(`${JSON.stringify(result.data, null, 2)}\n`);
    else if (result.human.length > 0) this.io.stdout(`${result.human.join("\n")}\n`);
    if (!result.ok) throw new CommandFailed("command reported failure");
  }
}
