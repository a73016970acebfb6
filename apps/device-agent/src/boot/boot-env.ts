import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../fs/atomic.js";

/**
 * Pantavisor's try-boot variables. `pv_rev` is the committed revision, `pv_try` the
 * revision being tried and `pv_trying` the bootloader's one-shot latch.
 */
export interface BootEnv {
  pv_rev: string;
  pv_try: string;
  pv_trying: string;
  /**
   * Set by a board's GRUB script when it fell back from a try (the try it gave up on);
   * absent in the host-process mode. "" clears it.
   */
  pv_failed?: string;
}

export const emptyBootEnv: BootEnv = { pv_rev: "", pv_try: "", pv_trying: "" };

const KEYS = ["pv_rev", "pv_try", "pv_trying"] as const;
const ALL_KEYS = [...KEYS, "pv_failed"] as const;
const VALUE = /^[A-Za-z0-9._:-]*$/;

export function serializeBootEnv(env: BootEnv): string {
  checkBootEnv(env);
  const failed = env.pv_failed ? `pv_failed=${env.pv_failed}\n` : "";
  return KEYS.map((key) => `${key}=${env[key]}\n`).join("") + failed;
}

/** Every value is a revision id or empty: nothing a bootloader script could misread. */
export function checkBootEnv(env: BootEnv): void {
  for (const key of ALL_KEYS) {
    const value = env[key] ?? "";
    if (!VALUE.test(value))
      throw new Error(`boot.env ${key} has unsafe value ${JSON.stringify(value)}`);
  }
}

export function parseBootEnv(text: string): BootEnv {
  const env: BootEnv = { ...emptyBootEnv };
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq < 0)
      throw new Error(`boot.env line ${index + 1} is not key=value: ${JSON.stringify(line)}`);
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (!(ALL_KEYS as readonly string[]).includes(key)) continue; // other bootloader variables
    if (!VALUE.test(value))
      throw new Error(`boot.env ${key} has unsafe value ${JSON.stringify(value)}`);
    env[key as (typeof ALL_KEYS)[number]] = value;
  }
  return env;
}

export async function readBootEnv(path: string): Promise<BootEnv> {
  try {
    return parseBootEnv(await readFile(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ...emptyBootEnv };
    throw error;
  }
}

export async function writeBootEnv(path: string, env: BootEnv): Promise<void> {
  await writeFileAtomic(path, serializeBootEnv(env));
}

/**
 * Install: the revision to try. In the host-process mode the latch is set too, because the
 * agent's supervisor boots it at once; on a board only the bootloader sets `pv_trying`.
 */
export function beginTry(env: BootEnv, revision: string, board = false): BootEnv {
  return { pv_rev: env.pv_rev, pv_try: revision, pv_trying: board ? "" : revision };
}

/** Commit: the tried revision becomes the rollback point. */
export function commitTry(env: BootEnv): BootEnv {
  if (env.pv_try === "") throw new Error("commit without a revision being tried");
  return {
    pv_rev: env.pv_try,
    pv_try: "",
    pv_trying: "",
    ...(env.pv_failed !== undefined ? { pv_failed: "" } : {}),
  };
}

/** A boot that finds the latch still set for the tried revision falls back to pv_rev. */
export function abandonedTry(env: BootEnv): string | undefined {
  return env.pv_try !== "" && env.pv_trying === env.pv_try ? env.pv_try : undefined;
}

export function clearTry(env: BootEnv): BootEnv {
  return {
    pv_rev: env.pv_rev,
    pv_try: "",
    pv_trying: "",
    ...(env.pv_failed !== undefined ? { pv_failed: "" } : {}),
  };
}
