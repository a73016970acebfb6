import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runOrThrow } from "../runtime/exec.js";
import { assignments, type BootBackend } from "./boot-backend.js";
import { type BootEnv, checkBootEnv, parseBootEnv } from "./boot-env.js";

/**
 * U-Boot's environment through libubootenv's `fw_printenv`/`fw_setenv` with a
 * `fw_env.config` (device or file, offset, size). All variables go in one `fw_setenv -s`
 * script, which libubootenv writes as one environment block (both copies when redundant).
 */
export class UbootBootBackend implements BootBackend {
  readonly kind = "uboot" as const;
  readonly board = true;

  constructor(readonly configFile: string) {}

  async read(): Promise<BootEnv> {
    return parseBootEnv(await runOrThrow("fw_printenv", ["-c", this.configFile]));
  }

  async write(env: BootEnv): Promise<void> {
    checkBootEnv(env);
    // libubootenv's script syntax: `name=value` sets, `name=` deletes.
    const script = assignments(env)
      .map(([k, v]) => `${k}=${v}\n`)
      .join("");
    const dir = await mkdtemp(join(tmpdir(), "statecast-fwenv-"));
    try {
      await writeFile(join(dir, "script"), script);
      await runOrThrow("fw_setenv", ["-c", this.configFile, "-s", join(dir, "script")]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
