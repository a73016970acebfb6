import { stat } from "node:fs/promises";
import { join } from "node:path";

/** The lock file an app creates in its control dir (`/run/statecast/updates.lock` inside it). */
export const LOCK_FILE = "updates.lock";

export type UpdateLock = {
  container: string;
  holder: string;
  since: string;
  via: "socket" | "file";
};

/**
 * Update locks (issue 20): an app that must not be interrupted takes one through its control
 * socket (`POST /lock {"holder": …}`, `POST /unlock`) or, as balena apps do, by creating a lock
 * file. While any is held the agent installs, reboots and commits nothing.
 */
export class UpdateLocks {
  private readonly taken = new Map<string, { holder: string; since: string }>();

  take(container: string, holder: string, now: Date): UpdateLock {
    const held = this.taken.get(container) ?? { holder, since: now.toISOString() };
    this.taken.set(container, held);
    return { container, ...held, via: "socket" };
  }

  release(container: string): boolean {
    return this.taken.delete(container);
  }

  /** Every lock held now: socket locks, then lock files in the containers' control dirs. */
  async held(controlDirs: ReadonlyMap<string, string>): Promise<UpdateLock[]> {
    const locks: UpdateLock[] = [...this.taken].map(([container, l]) => ({
      container,
      ...l,
      via: "socket" as const,
    }));
    for (const [container, dir] of controlDirs) {
      const file = await stat(join(dir, LOCK_FILE)).catch(() => undefined);
      if (file && !this.taken.has(container))
        locks.push({ container, holder: LOCK_FILE, since: file.mtime.toISOString(), via: "file" });
    }
    return locks;
  }
}
