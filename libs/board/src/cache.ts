import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where downloads and built artefacts are kept between runs (STATECAST_BOARD_CACHE overrides). */
export function cacheRoot(): string {
  return process.env.STATECAST_BOARD_CACHE ?? join(homedir(), ".cache", "statecast", "board");
}

export function contentKey(...parts: Array<string | Buffer>): string {
  const hash = createHash("sha256");
  for (const p of parts) hash.update(p).update("\0");
  return hash.digest("hex").slice(0, 24);
}

/**
 * The cached directory `<cache>/<kind>/<key>`, made by `make(tmpDir)` once: a crash mid-way
 * leaves only a temp directory, never a half-made entry.
 */
export async function cachedDir(
  kind: string,
  key: string,
  make: (dir: string) => Promise<void>,
): Promise<string> {
  const dir = join(cacheRoot(), kind, key);
  if (existsSync(dir)) return dir;
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  try {
    await make(tmp);
    if (!existsSync(dir)) renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}
