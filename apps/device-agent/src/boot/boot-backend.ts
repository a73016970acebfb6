import type { BootEnv } from "./boot-env.js";
import { readBootEnv, writeBootEnv } from "./boot-env.js";

/** Which bootloader holds the try-boot variables. */
export type BootKind = "grub" | "uboot" | "file";

/**
 * Where `pv_rev`/`pv_try`/`pv_trying` live. `board` backends sit in a real bootloader's
 * environment: the bootloader sets `pv_trying` and a try only runs after a reboot. The
 * `file` backend is the host-process mode's, where the agent's supervisor plays the
 * bootloader (it latches the try itself and "reboots" by restarting containers).
 */
export interface BootBackend {
  readonly kind: BootKind;
  readonly board: boolean;
  read(): Promise<BootEnv>;
  /**
   * Writes the try-boot variables in one step (a reader sees the old or the new set); an
   * empty value unsets the variable, `pv_failed` is touched only when given.
   */
  write(env: BootEnv): Promise<void>;
}

/** The host-process mode's `boot.env` in the store. */
export class FileBootBackend implements BootBackend {
  readonly kind = "file" as const;
  readonly board = false;

  constructor(readonly path: string) {}

  read(): Promise<BootEnv> {
    return readBootEnv(this.path);
  }

  write(env: BootEnv): Promise<void> {
    return writeBootEnv(this.path, env);
  }
}

/** `[name, value]` for each variable `env` sets; value "" = unset. */
export function assignments(env: BootEnv): [string, string][] {
  const pairs: [string, string][] = [
    ["pv_rev", env.pv_rev],
    ["pv_try", env.pv_try],
    ["pv_trying", env.pv_trying],
  ];
  if (env.pv_failed !== undefined) pairs.push(["pv_failed", env.pv_failed]);
  return pairs;
}
