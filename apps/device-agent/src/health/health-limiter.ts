import type { HealthInput, HealthKind } from "../report/report.js";

/** One thing that happened to the committed revision, as the watchers see it. */
export interface HealthObservation {
  health: HealthKind;
  revision: string;
  part?: string;
  exitCode?: number;
  signal?: number;
  message: string;
}

interface Window {
  /** When the window opened (ms): its first occurrence was reported at once. */
  openedAt: number;
  /** Occurrences since the last report, and the latest one's details. */
  pending: number;
  firstAt?: number;
  lastAt?: number;
  last?: HealthObservation;
}

/** Default window: one report per (kind, part) per minute at most, after the first. */
export const HEALTH_WINDOW_MS = 60_000;

/**
 * Rate bound of health reports, per device and per (kind, part): the first occurrence is
 * reported at once (a soak gate must hear of a crash quickly); later ones within `windowMs`
 * are counted and reported together, as ONE report with a count, when the window ends — that
 * report opens the next window. A crash loop of T ms therefore gives at most
 * `1 + floor(T / windowMs)` reports per (kind, part): 6 over 5 minutes with the default window.
 * Pure: time is an argument.
 */
export class HealthLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly windowMs = HEALTH_WINDOW_MS) {}

  /** Records an occurrence; returns the report to send now, or null when it is held. */
  observe(observation: HealthObservation, now: number): HealthInput | null {
    const key = `${observation.health}\u0000${observation.part ?? ""}`;
    const open = this.windows.get(key);
    if (open && now < open.openedAt + this.windowMs) {
      open.pending++;
      open.firstAt ??= now;
      open.lastAt = now;
      open.last = observation;
      return null;
    }
    this.windows.set(key, { openedAt: now, pending: 0 });
    // A window that ended still holding occurrences (not yet collected by `due`) goes with this one.
    const held = open?.pending ?? 0;
    return toInput(observation, held + 1, held > 0 ? open!.firstAt! : now, now);
  }

  /** Reports due at `now`: one per window that ended holding occurrences. */
  due(now: number): HealthInput[] {
    const reports: HealthInput[] = [];
    for (const [key, window] of this.windows) {
      if (now < window.openedAt + this.windowMs) continue;
      if (window.pending === 0 || !window.last) {
        this.windows.delete(key); // quiet for a whole window: the next occurrence goes at once
        continue;
      }
      reports.push(toInput(window.last, window.pending, window.firstAt!, window.lastAt!));
      this.windows.set(key, { openedAt: now, pending: 0 });
    }
    return reports;
  }

  /** When the next held report is due (ms), if any: the caller's timer. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const window of this.windows.values()) {
      if (window.pending === 0) continue;
      const at = window.openedAt + this.windowMs;
      next = next === undefined ? at : Math.min(next, at);
    }
    return next;
  }
}

function toInput(o: HealthObservation, count: number, first: number, last: number): HealthInput {
  return {
    revision: o.revision,
    health: o.health,
    ...(o.part !== undefined ? { part: o.part } : {}),
    ...(o.exitCode !== undefined ? { exitCode: o.exitCode } : {}),
    ...(o.signal !== undefined ? { signal: o.signal } : {}),
    count,
    firstAt: new Date(first).toISOString(),
    lastAt: new Date(last).toISOString(),
    message: count === 1 ? o.message : `${o.message} (${count} times)`,
  };
}
