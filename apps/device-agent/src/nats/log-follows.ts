import type { LogFollower } from "../logs/log-follower.js";

/** Why a follow ended, told to the asker in the last chunk (`ended`). */
export type FollowEnd =
  | "stopped"
  | "expired"
  | "lease_lost"
  | "too_many_follows"
  | "no_such_log"
  | "agent_stopped";

/** A device serves at most this many follows at once; more are answered with a snapshot only. */
export const MAX_FOLLOWS = 4;
/** No follow lasts longer than this, whatever the asker wants. */
export const MAX_FOLLOW_SECONDS = 3600;
/** A follow whose asker renewed nothing for this long is ended (the asker went away silently). */
export const FOLLOW_LEASE_MS = 45_000;
const POLL_MS = 500;

interface Follow {
  follower: LogFollower;
  timer: NodeJS.Timeout;
  until: number;
  renewedAt: number;
  polling: boolean;
}

/**
 * The device's live log follows: each polls its file and hands new text to `send`, until the
 * asker says stop, stops renewing its lease, or its time is up; then `end` is told why.
 */
export class LogFollows {
  private readonly follows = new Map<string, Follow>();

  constructor(
    private readonly send: (requestId: string, text: string) => void,
    private readonly end: (requestId: string, why: FollowEnd) => void,
  ) {}

  get size(): number {
    return this.follows.size;
  }

  get full(): boolean {
    return this.follows.size >= MAX_FOLLOWS;
  }

  start(requestId: string, follower: LogFollower, seconds: number): void {
    const now = Date.now();
    const until = now + Math.min(Math.max(1, seconds), MAX_FOLLOW_SECONDS) * 1000;
    const timer = setInterval(() => void this.poll(requestId), POLL_MS);
    timer.unref();
    this.follows.set(requestId, { follower, timer, until, renewedAt: now, polling: false });
  }

  renew(requestId: string): void {
    const follow = this.follows.get(requestId);
    if (follow) follow.renewedAt = Date.now();
  }

  stop(requestId: string, why: FollowEnd = "stopped"): void {
    const follow = this.follows.get(requestId);
    if (!follow) return;
    clearInterval(follow.timer);
    this.follows.delete(requestId);
    this.end(requestId, why);
  }

  stopAll(): void {
    for (const requestId of [...this.follows.keys()]) this.stop(requestId, "agent_stopped");
  }

  private async poll(requestId: string): Promise<void> {
    const follow = this.follows.get(requestId);
    if (!follow || follow.polling) return;
    const now = Date.now();
    if (now >= follow.until) return this.stop(requestId, "expired");
    if (now - follow.renewedAt > FOLLOW_LEASE_MS) return this.stop(requestId, "lease_lost");
    follow.polling = true;
    try {
      const text = await follow.follower.read().catch(() => "");
      if (text && this.follows.has(requestId)) this.send(requestId, text);
    } finally {
      follow.polling = false;
    }
  }
}
