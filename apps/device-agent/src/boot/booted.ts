import { readFile } from "node:fs/promises";
import type { BootEnv } from "./boot-env.js";

/** The kernel command-line argument naming the revision the bootloader booted. */
export const CMDLINE_KEY = "statecast.rev";

/** `statecast.rev=<rev>` from a kernel command line (the last one wins, as the kernel's). */
export function bootedRevision(cmdline: string): string | undefined {
  let found: string | undefined;
  for (const arg of cmdline.trim().split(/\s+/)) {
    if (arg.startsWith(`${CMDLINE_KEY}=`)) found = arg.slice(CMDLINE_KEY.length + 1);
  }
  return found && /^[0-9a-f]{64}$/.test(found) ? found : undefined;
}

/**
 * The other `statecast.*` arguments the bootloader passed (e.g. `statecast.boot=try`, a test
 * marker), for reports: safe characters only, at most 8 of 64 characters each.
 */
export function bootMarkers(cmdline: string): string[] {
  return cmdline
    .trim()
    .split(/\s+/)
    .filter((arg) => arg.startsWith("statecast.") && !arg.startsWith(`${CMDLINE_KEY}=`))
    .filter((arg) => /^[A-Za-z0-9._=:,-]{1,64}$/.test(arg))
    .slice(0, 8);
}

/** What the kernel command line says about this boot. */
export async function readBootCmdline(
  path: string,
): Promise<{ revision: string | undefined; markers: string[] }> {
  const text = await readFile(path, "utf8");
  return { revision: bootedRevision(text), markers: bootMarkers(text) };
}

/**
 * What this start of the agent is, from the try-boot variables and the revision booted.
 * - `steady`: pv_rev runs, nothing pending.
 * - `try`: the bootloader booted the tried revision: run TESTING, then commit or roll back.
 * - `failed`: a try came back (the bootloader fell back to pv_rev): report it, clear it.
 * - `pending`: pv_try is set but the reboot into it has not happened (the agent restarted
 *   in between): reboot now.
 * - `abandoned`: host-process mode only: the agent restarted with its own latch set.
 */
export type BootCase =
  | { kind: "steady" }
  | { kind: "try"; revision: string }
  | { kind: "failed"; revision: string }
  | { kind: "pending"; revision: string }
  | { kind: "abandoned"; revision: string };

/** Host-process mode: the agent's supervisor latched the try; finding it set means it died. */
export function classifyHostStart(env: BootEnv): BootCase {
  return env.pv_try !== "" && env.pv_trying === env.pv_try
    ? { kind: "abandoned", revision: env.pv_try }
    : { kind: "steady" };
}

/**
 * Board mode: the bootloader latched the try. `booted` is the command line's revision;
 * without one (an image that does not pass it) pv_rev is assumed.
 */
export function classifyBoardBoot(env: BootEnv, booted: string | undefined): BootCase {
  if (env.pv_failed) return { kind: "failed", revision: env.pv_failed };
  if (env.pv_try === "") return { kind: "steady" };
  const running = booted ?? env.pv_rev;
  if (running === env.pv_try) return { kind: "try", revision: env.pv_try };
  if (env.pv_trying === env.pv_try) return { kind: "failed", revision: env.pv_try };
  return { kind: "pending", revision: env.pv_try };
}
