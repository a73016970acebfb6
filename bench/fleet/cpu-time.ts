import { readdirSync } from "node:fs";
import { statFields } from "../process-tree.js";

/** Linux reports process times in USER_HZ ticks, 100 a second on every architecture we run on. */
const TICKS_PER_S = 100;

/**
 * CPU seconds (user + system) of each named process tree so far: every live process below the
 * root, each with the children it has already reaped (`cutime`/`cstime`), so a Postgres backend
 * that ended inside a window still counts. Read twice, the difference is a window's CPU.
 */
export function cpuSeconds(
  roots: Record<string, Array<number | undefined>>,
): Record<string, number> {
  const children = new Map<number, number[]>();
  const times = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const fields = statFields(pid);
    if (!fields) continue;
    const ppid = Number(fields[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    // utime, stime, cutime, cstime: the 14th to 17th fields of the line.
    const ticks = [11, 12, 13, 14].reduce((n, i) => n + Number(fields[i] ?? 0), 0);
    times.set(pid, ticks / TICKS_PER_S);
  }
  const tree = (pid: number): number =>
    (times.get(pid) ?? 0) + (children.get(pid) ?? []).reduce((n, c) => n + tree(c), 0);
  const out: Record<string, number> = {};
  for (const [name, pids] of Object.entries(roots))
    out[name] = pids.reduce<number>((n, pid) => n + (pid === undefined ? 0 : tree(pid)), 0);
  return out;
}

/** The CPU seconds between two readings, by name, rounded to 0.1 s. */
export function cpuBetween(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, seconds] of Object.entries(after))
    out[name] = Math.round((seconds - (before[name] ?? 0)) * 10) / 10;
  return out;
}
