import { createHash } from "node:crypto";
import { readlinkSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A short symlink in the temp dir to `dir`. An agent's control sockets live deep in its store
 * (`…/store/containers/<part>.<digest>/control/control.sock`) and a unix socket path holds at
 * most 107 bytes: under a long data dir the kernel would get a truncated name, which closing
 * does not remove, so the next start finds it in use. The agents get the short path instead.
 */
export function shortPathTo(dir: string): { path: string; remove(): void } {
  const path = join(
    tmpdir(),
    `statecast-demo-${createHash("sha256").update(dir).digest("hex").slice(0, 8)}`,
  );
  let current: string | undefined;
  try {
    current = readlinkSync(path);
  } catch {
    current = undefined;
  }
  if (current !== dir) {
    rmSync(path, { force: true });
    symlinkSync(dir, path);
  }
  return { path, remove: () => rmSync(path, { force: true }) };
}
