import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * Whether a user that is neither owner nor in the group (the `postgres` user, as seen from a
 * root-owned checkout) can walk down to `path`: every directory above it must be world-searchable.
 * `path` itself is not checked (it may not exist yet).
 */
export function reachableByOthers(path: string): boolean {
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}
