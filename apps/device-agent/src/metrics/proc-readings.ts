import { readFile, statfs } from "node:fs/promises";
import { join } from "node:path";

/** Jiffies of all CPUs since boot: busy (not idle, not waiting for I/O) and total. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/** The board's uptime in seconds, from `/proc/uptime`. */
export async function readUptime(proc = "/proc"): Promise<number> {
  const text = await readFile(join(proc, "uptime"), "utf8");
  const seconds = Number(text.split(/\s+/)[0]);
  if (!Number.isFinite(seconds)) throw new Error(`unreadable ${join(proc, "uptime")}`);
  return seconds;
}

/** The aggregate `cpu` line of `/proc/stat`. */
export async function readCpuTimes(proc = "/proc"): Promise<CpuTimes> {
  const text = await readFile(join(proc, "stat"), "utf8");
  const line = text.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) throw new Error(`no cpu line in ${join(proc, "stat")}`);
  // user nice system idle iowait irq softirq steal (guest time is already in user/nice)
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((sum, v) => sum + (Number.isFinite(v) ? v : 0), 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** Busy share of the CPUs between two samples, 0-100 (0 when no time passed). */
export function cpuPercent(before: CpuTimes, after: CpuTimes): number {
  const total = after.total - before.total;
  if (total <= 0) return 0;
  const percent = ((after.busy - before.busy) / total) * 100;
  return Math.round(Math.min(100, Math.max(0, percent)) * 10) / 10;
}

/** `MemTotal` and `MemAvailable` of `/proc/meminfo`, in bytes. */
export async function readMemory(
  proc = "/proc",
): Promise<{ totalBytes: number; availableBytes: number }> {
  const text = await readFile(join(proc, "meminfo"), "utf8");
  const kib = (key: string) => {
    const match = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, "m").exec(text);
    if (!match?.[1]) throw new Error(`no ${key} in ${join(proc, "meminfo")}`);
    return Number(match[1]) * 1024;
  };
  return { totalBytes: kib("MemTotal"), availableBytes: kib("MemAvailable") };
}

/** Size and space left to unprivileged writers of the filesystem holding `path` (statfs). */
export async function readDisk(path: string): Promise<{ totalBytes: number; freeBytes: number }> {
  const fs = await statfs(path);
  return { totalBytes: fs.blocks * fs.bsize, freeBytes: fs.bavail * fs.bsize };
}

/** What the metrics collector reads of the host: the board's CPU, uptime, memory and disk. */
export interface HostReadings {
  cpu(): Promise<CpuTimes>;
  uptime(): Promise<number>;
  memory(): Promise<{ totalBytes: number; availableBytes: number }>;
  disk(path: string): Promise<{ totalBytes: number; freeBytes: number }>;
}

/** Each reading taken when asked, from `proc` (an agent: one per board). */
export function procReadings(proc = "/proc"): HostReadings {
  return {
    cpu: () => readCpuTimes(proc),
    uptime: () => readUptime(proc),
    memory: () => readMemory(proc),
    disk: readDisk,
  };
}

/**
 * Readings shared by many agents of one process on one host (`sim` load generators): each taken
 * at most once per `maxAgeMs` for all of them, the disk's once for every store (they are on one
 * filesystem). Thousands of agents each reading /proc every interval would be the load
 * generator's main work, a cost no real device pays more than once.
 */
export function sharedHostReadings(maxAgeMs = 1_000, base = procReadings()): HostReadings {
  const memo = <T>(read: () => Promise<T>): (() => Promise<T>) => {
    let last: { at: number; value: Promise<T> } | undefined;
    return () => {
      if (!last || Date.now() - last.at > maxAgeMs) {
        const value = read();
        last = { at: Date.now(), value };
        // A failed reading is not kept: the next collection reads again.
        value.catch(() => {
          if (last?.value === value) last = undefined;
        });
      }
      return last.value;
    };
  };
  let diskPath = "";
  const disk = memo(() => base.disk(diskPath));
  return {
    cpu: memo(() => base.cpu()),
    uptime: memo(() => base.uptime()),
    memory: memo(() => base.memory()),
    disk: (path) => {
      diskPath ||= path;
      return disk();
    },
  };
}
