import { createHash } from "node:crypto";
import { lstatSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where `shortPathTo(dir)` puts its link. */
export function shortPathFor(dir: string): string {
  const hash = createHash("sha256").update(dir).digest("hex").slice(0, 8);
  return join(tmpdir(), `statecast-demo-${hash}`);
}

/**
 * A short symlink in the temp dir to `dir`, kept between starts. An agent's control sockets live
 * deep in its store (`…/store/containers/<part>.<digest>/control/control.sock`) and a unix socket
 * path holds at most 107 bytes: under a long data dir the kernel would get a truncated name,
 * which closing does not remove, so the next start finds it in use. The agents get this path.
 */
export function shortPathTo(dir: string): string {
  const path = shortPathFor(dir);
  let current: string | undefined;
  try {
    current = lstatSync(path).isSymbolicLink() ? readlinkSync(path) : "";
  } catch {
    current = undefined;
  }
  if (current !== dir) {
    // Anything else under this name is ours: a link to an old location, or a directory an apply
    // still running at a stop wrote through a link removed under it.
    if (current !== undefined) rmSync(path, { recursive: true, force: true });
    symlinkSync(dir, path);
  }
  return path;
}
