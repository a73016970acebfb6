import { Cron } from "croner";
import * as z from "zod/mini";
import { issuesText } from "./zod.js";

/**
 * A maintenance window: it opens at each start of `cron` (five fields, minute first, read in
 * `timeZone`, an IANA zone) and stays open `durationMinutes`. Outside every window of its target
 * a device downloads but does not install, reboot or commit. Pure functions of an instant: the
 * caller's clock comes in as `now`, so the orchestrator's `why` and the agent agree.
 */
export const maintenanceWindowSchema = z.strictObject({
  name: z
    .string()
    .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "expected 1-64 letters, digits, . _ -")),
  cron: z.string().check(z.minLength(1), z.maxLength(120)),
  durationMinutes: z.int().check(z.minimum(1), z.maximum(7 * 24 * 60)),
  timeZone: z.string().check(z.minLength(1), z.maxLength(64)),
});
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;

export const maintenanceWindowsSchema = z.array(maintenanceWindowSchema).check(z.maxLength(16));

export type WindowState =
  | { open: true; window: string; closesAt: string }
  | { open: false; window: string; opensAt: string | null };

/** Why `window` cannot be used (bad shape, cron or zone), or undefined. */
export function maintenanceWindowProblem(window: unknown): string | undefined {
  const parsed = maintenanceWindowSchema.safeParse(window);
  if (!parsed.success) return issuesText(parsed.error, 3);
  const { cron, timeZone, name } = parsed.data;
  if (!isTimeZone(timeZone))
    return `window ${name}: ${JSON.stringify(timeZone)} is not an IANA time zone`;
  if (cron.trim().split(/\s+/).length !== 5)
    return `window ${name}: cron needs five fields (minute hour day-of-month month day-of-week)`;
  try {
    new Cron(cron, { timezone: timeZone });
  } catch (error) {
    return `window ${name}: cron ${JSON.stringify(cron)}: ${(error as Error).message}`;
  }
  return undefined;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const MINUTE = 60_000;
/** Back-to-back or overlapping starts merge into one opening; this bounds the walk. */
const MAX_MERGED_STARTS = 1_000;

/**
 * Whether `window` is open at `now`: open iff some start lies in (now − duration, now]; then it
 * closes at the last merged start + duration. Closed: the next start, or null if none comes.
 */
export function windowStateAt(window: MaintenanceWindow, now: Date): WindowState {
  const cron = new Cron(window.cron, { timezone: window.timeZone });
  const duration = window.durationMinutes * MINUTE;
  const start = cron.nextRun(new Date(now.getTime() - duration));
  if (start === null || start.getTime() > now.getTime())
    return { open: false, window: window.name, opensAt: start?.toISOString() ?? null };
  let closesAt = start.getTime() + duration;
  let last = start;
  for (let i = 0; i < MAX_MERGED_STARTS; i++) {
    const next = cron.nextRun(last);
    if (next === null || next.getTime() > closesAt) break;
    closesAt = Math.max(closesAt, next.getTime() + duration);
    last = next;
  }
  return { open: true, window: window.name, closesAt: new Date(closesAt).toISOString() };
}

/**
 * The union of a target's windows at `now`: no window means always open (`null`); otherwise the
 * open window closing last, or, all closed, the one opening first.
 */
export function windowsStateAt(
  windows: readonly MaintenanceWindow[] | undefined,
  now: Date,
): WindowState | null {
  if (!windows || windows.length === 0) return null;
  const states = windows.map((w) => windowStateAt(w, now));
  const open = states.filter((s) => s.open);
  if (open.length > 0)
    return open.reduce((a, b) => (Date.parse(b.closesAt) > Date.parse(a.closesAt) ? b : a));
  const closed = states.filter((s) => !s.open);
  const upcoming = closed.filter((s) => s.opensAt !== null);
  if (upcoming.length === 0) return closed[0] ?? null;
  return upcoming.reduce((a, b) =>
    Date.parse(b.opensAt ?? "") < Date.parse(a.opensAt ?? "") ? b : a,
  );
}

/** The reason of a DOWNLOADING report from a device that has its objects and waits for a window. */
export const WAITING_FOR_WINDOW = "waiting_for_window";

/** The message of that report: one text form, read back by `windowWaitOf`. */
export function windowWaitMessage(state: { window: string; opensAt: string | null }): string {
  return `downloaded; waiting for maintenance window ${state.window} (opens ${state.opensAt ?? "never"})`;
}

/** The window and its opening from a `windowWaitMessage`, or null. */
export function windowWaitOf(
  message: string | undefined,
): { window: string; opensAt: string | null } | null {
  const match = /^downloaded; waiting for maintenance window (\S+) \(opens (\S+)\)$/.exec(
    message ?? "",
  );
  if (!match?.[1] || !match[2]) return null;
  return { window: match[1], opensAt: match[2] === "never" ? null : match[2] };
}
