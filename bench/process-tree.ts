import { readdirSync, readFileSync } from "node:fs";

/** A process as /proc shows it: its id and its start time (so a reused pid is not mistaken). */
export interface ProcessRef {
  pid: number;
  startedAt: string;
}

/**
 * The fields of `/proc/<pid>/stat` after the command name (which may hold spaces and
 * parentheses): index 0 is the line's 3rd field (state), 1 the ppid, 19 the start time.
 */
export function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

function stat(pid: number): { ppid: number; startedAt: string; zombie: boolean } | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  return { ppid: Number(fields[1]), startedAt: fields[19] ?? "", zombie: fields[0] === "Z" };
}

/**
 * `pids` and every process below them (children, grandchildren…), read from /proc at once:
 * a service's own children (Postgres's backends, a shell's background job) are stopped with it.
 */
export function processTree(pids: Array<number | undefined>): ProcessRef[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const ppid = stat(pid)?.ppid;
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: ProcessRef[] = [];
  const visit = (pid: number) => {
    const own = stat(pid);
    if (!own || own.zombie || found.some((p) => p.pid === pid)) return;
    found.push({ pid, startedAt: own.startedAt });
    for (const child of children.get(pid) ?? []) visit(child);
  };
  for (const pid of pids) if (pid !== undefined) visit(pid);
  return found;
}

/** SIGKILLs each process still running as the same process (same start time); synchronous. */
export function killTree(processes: ProcessRef[]): void {
  for (const { pid, startedAt } of processes) {
    const now = stat(pid);
    if (!now || now.zombie || now.startedAt !== startedAt) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}
