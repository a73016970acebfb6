import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

// On a shared machine events/s say as much about the neighbours as about the code; CPU time per
// event does not. Postgres' share is read from /proc: the postmaster and its children (the
// CPU of connections that ended is in the postmaster's reaped-children counters).
const TICKS_PER_MS = 100 / 1000; // USER_HZ is 100 on Linux

function procCpuTicks(pid: number): { ppid: number; ticks: number; children: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start at the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return {
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      // utime + stime of children already exited and reaped
      children: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

/** CPU milliseconds used so far by the cluster whose data directory is `dataDir`. */
export function postgresCpuMs(dataDir: string): number {
  const postmaster = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  const own = procCpuTicks(postmaster);
  let ticks = (own?.ticks ?? 0) + (own?.children ?? 0);
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const p = procCpuTicks(pid);
    if (p?.ppid === postmaster) ticks += p.ticks;
  }
  return ticks / TICKS_PER_MS;
}

/** CPU milliseconds used so far by this process. */
export function nodeCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
